# The managers' side: lead cards, digests, outcomes, lists, reports, delivery status.
# Texts are Telegram HTML; button labels (mgr-btn-*), alerts (*-alert) and short words used
# inside other texts are plain text.

## Words

mgr-temperature-hot = горячий
mgr-temperature-warm = тёплый
mgr-temperature-cold = холодный
mgr-role-dm = ЛПР
mgr-role-influencer = ЛВПР
mgr-role-committee = закупочная комиссия
mgr-role-gatekeeper = секретарь
mgr-level-yes = да
mgr-level-partial = частично
mgr-level-no = нет
mgr-level-unknown = не выяснили
mgr-lost-expensive = дорого
mgr-lost-competitor = выбрали конкурента
mgr-lost-no_budget = нет бюджета
mgr-lost-no_answer = не отвечает
mgr-lost-postponed = отложили
mgr-lost-other = другое
mgr-reject-profile = не наш профиль
mgr-reject-no_need = нет потребности
mgr-reject-duplicate = дубль
mgr-reject-contact = неверный контакт
mgr-reject-other = другое

## The alert card

mgr-card-title-new = { $emoji } <b>Новый лид { $ref }</b> · { $temperature }
mgr-card-title = { $emoji } <b>Лид { $ref }</b> · { $temperature }
mgr-card-company = 🏢 <b>{ $company }</b>
mgr-card-contact = 👤 { $contact } · { $role }
mgr-card-contact-plain = 👤 { $contact }
mgr-card-phone = 📞 { $phone }
mgr-card-email = ✉️ { $email }
mgr-card-score = 📊 <b>{ $score }/100</b>
mgr-card-class = класс { $title }
mgr-card-probability = вероятность { $percent }%
mgr-card-probability-prior = вероятность ≈{ $percent }% (приоритеты клиента не выяснены)
mgr-card-expected = ожидаемая сумма { $value }
mgr-card-for = 👍 За: { $reasons }
mgr-card-against = 👎 Против: { $reasons }
mgr-card-next-step = ➡️ Следующий шаг: { $step }
mgr-card-notes =
    📝 <b>Заметки хантера</b>
    { $notes }
mgr-card-footer = 🎧 { $hunter } · 📜 { $flow } v{ $version } · 🕒 { $when }
mgr-card-handoff = 🚀 Хантер передал лид досрочно, не дожидаясь конца скрипта: звоните сейчас.
mgr-card-sla = ⏳ Взять в течение { $minutes } мин
mgr-card-cut = ✂️ Длинные ответы сокращены — полностью в «Подробнее».

mgr-status-assigned = 👉 По очереди назначен: <b>{ $name }</b>
mgr-status-claimed = ✋ Взял <b>{ $name }</b> · { $when }
mgr-status-in-progress = 🔄 В работе у <b>{ $name }</b>
mgr-status-won = 🏆 Выигран · <b>{ $amount }</b> · { $name }
mgr-status-lost = ❌ Проигран · { $reason } · { $name }
mgr-status-rejected = 🚫 Не целевой · { $reason }

mgr-btn-claim = ✋ Беру
mgr-btn-pass = ↪️ Передать коллеге
mgr-btn-reject = 🚫 Не целевой
mgr-btn-details = ℹ️ Подробнее
mgr-btn-progress = 🔄 В работе
mgr-btn-won = 🏆 Выиграли
mgr-btn-lost = ❌ Проиграли
mgr-btn-back = ⬅️ Назад
mgr-btn-colleague = ↪️ { $name }
mgr-btn-digest-lead = { $emoji } { $ref }

## Digest of a burst of alerts

mgr-digest-title = 📬 <b>{ $count ->
        [one] { $count } новый лид
        [few] { $count } новых лида
       *[many] { $count } новых лидов
    }</b> — горячие первыми:
mgr-digest-line = { $emoji } <b>{ $ref }</b> · { $company } · { $score }/100 · { $lead_class }
mgr-digest-taken = ✋ взял { $name }
mgr-digest-closed-won = 🏆 выигран
mgr-digest-closed-lost = ❌ проигран
mgr-digest-closed-rejected = 🚫 не целевой
mgr-digest-hint = Нажмите на лид — карточка с кнопками придёт вам в личку.

## Presses

mgr-claimed-alert = ✅ Лид { $ref } ваш
mgr-refused-taken-by = Уже взял { $name }
mgr-refused-owned-by = Это лид { $name }: действовать может только он
mgr-refused-closed-as = Лид уже закрыт: { $status }
mgr-refused-not_manager = Брать лиды и отмечать итоги могут только менеджеры
mgr-refused-not_found = Такого лида нет
mgr-refused-taken = Лид уже взяли
mgr-refused-already_yours = Этот лид уже ваш
mgr-refused-not_owner = Это не ваш лид
mgr-refused-closed = Лид уже закрыт
mgr-refused-not_claimed = Сначала возьмите лид: «✋ Беру»
mgr-refused-bad_colleague = Этому человеку лид передать нельзя
mgr-no-colleagues = Некому передать: других менеджеров нет
mgr-pick-colleague = Кому передать?
mgr-pick-reason = Выберите причину
mgr-passed-alert = Лид передан: { $name }
mgr-passed-to-you = ↪️ <b>{ $name }</b> передал(а) вам лид { $ref }
mgr-pass-undeliverable = Лид не передан: { $name } не получил(а) карточку — ещё не писал(а) боту или Telegram не ответил. Попросите нажать /start у бота и передайте снова
mgr-assigned-to-you = 👉 <b>Вам назначен новый лид</b> (по очереди смены). Нажмите «✋ Беру», чтобы забрать.
mgr-rejected-alert = Лид отмечен как не целевой
mgr-progress-alert = Отмечено: в работе
mgr-lost-alert = Отмечено: проигран
mgr-sent-privately = Отправил вам в личку
mgr-open-private-chat = Откройте личный чат с ботом (/start) и нажмите ещё раз
mgr-amount-asked = Введите сумму в личном чате с ботом
mgr-amount-prompt =
    🏆 <b>Сделка по лиду { $ref }</b>
    Какая сумма? Например: «1,5 млн», «200k» или «300 000 ₽». Отмена — /cancel.
mgr-amount-invalid =
    { $problem }
    Отмена — /cancel.
mgr-amount-unknown = Нужна сумма сделки.
mgr-amount-currency = Сумма в валюте лида ({ $sign }): например, «1,5 млн» или «200k».
mgr-amount-positive = Сумма сделки должна быть больше нуля: например, «1,5 млн» или «200k».
mgr-amount-cancelled = Хорошо, сумму не записываю.
mgr-amount-refused = Не записал: { $reason }
mgr-won-done = 🏆 Лид { $ref } выигран: <b>{ $amount }</b>. Поздравляем!

## SLA and delivery reports

mgr-sla-reminder =
    ⏰ <b>{ $ref }</b> · { $company } ждёт уже { $minutes } мин (SLA { $sla } мин) — никто не взял.
    Кто возьмёт? Жмите «✋ Беру» в карточке.
mgr-sla-reminder-digest =
    ⏰ <b>{ $ref }</b> · { $company } ждёт уже { $minutes } мин (SLA { $sla } мин) — никто не взял.
    Лид пришёл в сводке: откройте его кнопкой в сводке или командой /lead { $id } и жмите «✋ Беру».
mgr-sla-reminder-open =
    ⏰ <b>{ $ref }</b> · { $company } ждёт уже { $minutes } мин (SLA { $sla } мин) — никто не взял.
    Откройте карточку: /lead { $id } — и жмите «✋ Беру».
mgr-sla-escalation =
    ⚠️ <b>Лид { $ref } не взят</b> уже { $minutes } мин — вдвое дольше SLA ({ $sla } мин).
    { $company }. Карточка: /lead { $id }
mgr-dead-report =
    🚨 <b>Алерт { $ref } не доставлен</b> в чат менеджеров: { $error }
    Лид сохранён ({ $company }): /lead { $id }. Проверьте, что бот состоит в чате; /status — состояние очереди.
mgr-dead-report-assign =
    🚨 <b>Лид { $ref } не дошёл до { $name }</b> (назначен по очереди смены): { $error }
    Назначение снято, лид снова ждёт в чате менеджеров ({ $company }): /lead { $id }
mgr-dead-report-escalation =
    🚨 <b>Напоминание о лиде { $ref } не дошло до { $name }</b>: { $error }
    Лид так и не взят ({ $company }): /lead { $id }

## Details and the full record

mgr-details-title = ℹ️ <b>{ $ref }</b> · { $company }
mgr-details-none = Подробностей звонка нет.
mgr-details-fields-title = <b>Карточка</b>
mgr-details-field = • { $title }: { $value }
mgr-details-answers-title = <b>Ответы клиента</b>
mgr-details-answer =
    ❓ { $question }
    ➜ <b>{ $answer }</b>
mgr-details-criteria-title = <b>Скоринг по критериям</b>
mgr-details-criterion = • { $title }: { $level } — { $points } из { $weight }
mgr-details-for = <b>👍 За</b>
mgr-details-against = <b>👎 Против</b>
mgr-details-knockouts = <b>⛔ Стоп-факторы</b>
mgr-details-unasked = <b>❔ Не спросили</b>
mgr-details-notes = <b>📝 Заметки хантера</b>
mgr-details-item = • { $text }
mgr-details-strategy = 🧭 <b>Стратегия:</b> { $text }
mgr-record-call-title = <b>Ход звонка</b>
mgr-record-call-line = { $when } · { $what }
mgr-record-lead-title = <b>История лида</b>
mgr-record-lead-line = { $when } · { $who } · { $what }
mgr-record-empty = • пока пусто
mgr-event-generic = { $step } · { $kind }: { $detail }
mgr-event-bare = { $step } · { $kind }
mgr-event-card = карточка лида
mgr-event-input = ответ
mgr-event-unknown = клиент не знает
mgr-event-objection = возражение
mgr-event-resume = возврат к скрипту
mgr-event-note = заметка
mgr-event-nofit = нет подходящего ответа
mgr-event-back = шаг назад
mgr-event-finish = итог звонка: { $outcome }
mgr-history-claimed = взял лид
mgr-history-passed = передал лид: { $name }
mgr-history-assigned = назначен по очереди: { $name }
mgr-history-rejected = не целевой: { $reason }
mgr-history-in_progress = в работе
mgr-history-won = выигран: { $amount }
mgr-history-lost = проигран: { $reason }

## Lists

mgr-filter-open = Открытые
mgr-filter-mine = Мои
mgr-filter-hot = 🔥 Горячие
mgr-filter-today = Сегодня
mgr-filter-week = Неделя
mgr-list-title = <b>Лиды: { $filter }</b> ({ $count })
mgr-list-line = { $emoji } #L-{ $id } · { $title } · { $who } · { $when }
mgr-list-owner = у { $name }
mgr-list-empty = Здесь пока пусто.
mgr-list-more = … и ещё { $count } — полный список: /export
mgr-list-hint = Карточка лида со всеми ответами — /lead и номер, например /lead 12.
mgr-only-managers = Эта команда для менеджеров и администраторов.
mgr-admins-only = Эта команда для администраторов.
mgr-lead-usage = Укажите номер лида: /lead 12
mgr-leads-usage = Формат: /leads, /leads mine (мои), /leads hot (горячие), /leads today (сегодня) или /leads week (неделя).
mgr-lead-missing = Лида { $ref } нет.

## Shifts (round-robin)

mgr-shift-started =
    ✅ Вы на смене: новые лиды будут назначаться по очереди и приходить вам в личку.
    На смене: { $names }
mgr-shift-ended =
    Смена закончена, лиды вам больше не назначаются.
    На смене: { $names }
mgr-shift-status-on =
    Вы на смене. Закончить — /shift off.
    На смене: { $names }
mgr-shift-status-off =
    Вы не на смене. Начать — /shift on.
    На смене: { $names }
mgr-shift-usage = /shift on — начать смену, /shift off — закончить.
mgr-shift-managers-only = Смены — для менеджеров.
mgr-shift-nobody = никого

## Delivery status (/status)

mgr-health-title = 🩺 <b>Состояние доставки</b>
mgr-health-no-chat = ⚠️ Чат менеджеров не задан (MANAGER_CHAT_ID): алерты некуда отправлять.
mgr-health-chat = Чат менеджеров: <code>{ $chat }</code>
mgr-health-chat-moved = Чат менеджеров: <code>{ $chat }</code> (группа стала супергруппой, прежний id { $old })
mgr-health-queue-empty = ✅ Очередь пуста
mgr-health-queue = Ждут отправки: { $count }, самое старое — { $age }
mgr-health-queue-stuck = 🔴 Ждут отправки: { $count }, самое старое — { $age }: доставка застряла
mgr-health-dead = 🚨 Не доставлено: { $count }
mgr-health-dead-line = • { $ref } · { $kind } · { $error }
mgr-delivery-alert = алерт в чат менеджеров
mgr-delivery-sla_reminder = напоминание о SLA
mgr-delivery-sla_escalation = эскалация администратору
mgr-delivery-assign = назначение по смене
mgr-delivery-dead_report = отчёт о недоставке
mgr-health-no-dead = ✅ Недоставленных нет
mgr-health-shift = На смене: { $names }
mgr-health-time = Сейчас: { $now }

## Export and statistics

mgr-export-usage = Формат: /export или /export 2026-11-01 2026-11-30 (обе даты включительно).
mgr-export-caption = 📤 Лиды — { $period }: { $count } шт. Файл открывается в Excel.
mgr-stats-usage = Формат: /stats или /stats 2026-11-01 2026-11-30 (обе даты включительно).
mgr-period-all = за всё время
mgr-stats-title = 📈 <b>Статистика</b> · { $period }
mgr-digest-weekly-title = 🗓 <b>Итоги недели</b> · { $period }
mgr-stats-funnel =
    <b>Воронка</b>
    📞 Звонков: { $calls }
    ✅ Квалифицировано: { $qualified } ({ $qualified_rate })
    ✋ Взято: { $claimed } ({ $claimed_rate })
    🏆 Выиграно: { $won } ({ $won_rate }) на { $amount }
mgr-stats-timing =
    ⏱ Медиана до взятия: { $to_claim }
    ☎️ Медиана до первого контакта: { $to_contact }
mgr-stats-hunters = <b>По хантерам</b> (звонки / лиды / выиграно)
mgr-stats-sources = <b>По источникам</b> (звонки / лиды / выиграно)
mgr-stats-flows = <b>По версиям скриптов</b> (звонки / лиды / выиграно)
mgr-stats-line = • { $name }: { $calls } / { $leads } / { $won }
mgr-stats-lost = <b>Почему проигрываем</b>
mgr-stats-lost-line = • { $reason }: { $count }
# Joins the last two sums in different currencies: 1 500 000 ₽ и 1 000 $.
mgr-amounts-and = и
mgr-duration-minutes = { $n } мин
mgr-duration-hours = { $n } ч
mgr-duration-days = { $n } дн
mgr-chart-funnel = Воронка
mgr-chart-calls = Звонки
mgr-chart-qualified = Лиды
mgr-chart-claimed = Взяты
mgr-chart-won = Выиграны
mgr-chart-hunters = Лиды и сделки по хантерам
mgr-chart-caption = 📊 Воронка и хантеры · { $period }

## CSV column headers

mgr-csv-reference = Лид
mgr-csv-created_at = Создан
mgr-csv-status = Статус
mgr-csv-hunter = Хантер
mgr-csv-owner = Менеджер
mgr-csv-flow = Скрипт
mgr-csv-flow_version = Версия скрипта
mgr-csv-company = Компания
mgr-csv-contact = Контакт
mgr-csv-phone = Телефон
mgr-csv-email = Почта
mgr-csv-source = Источник
mgr-csv-score = Скоринг
mgr-csv-temperature = Температура
mgr-csv-lead_class = Класс
mgr-csv-probability = Вероятность, %
mgr-csv-expected_value = Ожидаемая сумма
mgr-csv-currency = Валюта
mgr-csv-contact_role = Роль контакта
mgr-csv-bant_budget = BANT: бюджет
mgr-csv-bant_authority = BANT: полномочия
mgr-csv-bant_need = BANT: потребность
mgr-csv-bant_timeline = BANT: сроки
mgr-csv-reasons_for = За
mgr-csv-reasons_against = Против
mgr-csv-answers = Ответы
mgr-csv-notes = Заметки
mgr-csv-claimed_at = Взят
mgr-csv-first_contact_at = Первый контакт
mgr-csv-outcome_amount = Сумма сделки
mgr-csv-outcome_reason = Причина
mgr-csv-outcome_at = Итог отмечен

## What clients said that the scripts had no answer for (/nofit)

mgr-nofit-usage = Формат: /nofit или /nofit 2026-11-01 2026-11-30 (обе даты включительно). Без дат — последние 30 дней.
mgr-nofit-empty = ✍️ За { $period } записей «Нет подходящего ответа» пока нет.
mgr-nofit-title = ✍️ <b>Нет подходящего ответа</b> · { $period }
mgr-nofit-total = Что говорили клиенты, когда в скрипте не нашлось ответа. Записей: { $count }
mgr-nofit-script = 📜 <b>{ $title } v{ $version }</b>
mgr-nofit-step = ❓ <i>{ $question }</i> — { $count }
mgr-nofit-entry = • { $when } · { $hunter }: «{ $text }»
mgr-nofit-more = … и ещё { $count } — все записи полностью в файле CSV.
mgr-nofit-caption = 📎 «Нет подходящего ответа» — { $period }: { $count } шт. Файл открывается в Excel.
mgr-nofit-csv-date = Дата
mgr-nofit-csv-script = Скрипт
mgr-nofit-csv-version = Версия скрипта
mgr-nofit-csv-step = Шаг
mgr-nofit-csv-question = Вопрос шага
mgr-nofit-csv-hunter = Хантер
mgr-nofit-csv-text = Что сказал клиент
