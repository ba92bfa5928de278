"""Japanese command descriptions in Discord's command picker, from the shared `bot.i18n` catalog.

Only descriptions are translated: the command and option names (`/ask question speaker private`)
are a contract and stay the same in every locale.
"""

from __future__ import annotations

from discord import Locale, app_commands

from bot import i18n


def described(key: str) -> app_commands.locale_str:
    """A description whose English text and translations come from catalog entry `key`."""
    return app_commands.locale_str(i18n.t(key, "en"), key=key)


class CatalogTranslator(app_commands.Translator):
    async def translate(
        self,
        string: app_commands.locale_str,
        locale: Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        lang = i18n.normalize_lang(locale.value)
        if not isinstance(key, str) or lang == "en":
            return None
        text = i18n.t(key, lang)
        # The catalog falls back to English; Discord needs no localization that equals the default.
        return text if text != string.message else None
