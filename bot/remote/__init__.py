"""Remote sources: fetching URLs safely, the lists of sources, and turning what came back into documents."""
