# The image Fly builds (fly.toml); installed the way Heroku and Render install it: requirements.txt.
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
ENV PORT=3000
EXPOSE 3000
CMD ["saidbot", "serve"]
