"""The Telegram application: composes `scripts` (call flows) and `scoring` (qualification).

Where things are:
- `app.create_dispatcher` - the composition root shared by `python -m bot` and the tests;
- `handlers/` - one router per area, ordered in `handlers.get_routers()`; a router's handlers
  get what they work with as one `desk` (`handlers.desks`);
- `middlewares` - who the sender is (`account`, `roles`), their language (`t`), access;
- `db` + `repositories` + `domain` - SQLite, one write transaction per use case;
- `i18n` + `locales/<ru|en>/*.ftl` - every text the bot shows; `render` - the values in them
  (times, money, phones, BANT lines), alike for hunters and managers;
- `call_screen`, `alerts` - the hunter's call screen and summary, the managers' lead cards;
- `telegram` - escaping, message length, edits that never fail on identical content.
"""
