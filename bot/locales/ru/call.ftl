# The hunter's call: choosing the script, the lead card, the call screen, the summary.
# Texts are Telegram HTML; button labels (*-button) and alerts (*-alert, *-toast) are plain text.

## Choosing the script and the lead card

call-pick-flow =
    <b>Новый звонок</b>
    Выберите скрипт:
call-no-flows = Скрипты звонков не загружены — обратитесь к администратору.
call-hunters-only = Звонки ведут хантеры. Чтобы получить роль, передайте администратору ваш Telegram ID: <code>{ $user_id }</code>
call-hunters-only-alert = Звонки ведут только хантеры
call-card-title = <b>{ $flow }</b> · карточка лида { $number }/{ $total }
call-card-ask = Напишите: <b>{ $field }</b>
call-card-ask-choice = Выберите или напишите: <b>{ $field }</b>
call-card-example = <i>Например: { $example }</i>
call-card-optional = <i>Можно пропустить.</i>
call-card-skip-button = ⏭ Пропустить
call-card-cancel-button = ✖️ Отменить звонок
call-card-required-alert = Это поле обязательно
call-card-required-reask = Это поле обязательно. Введите, например: { $examples }.
call-card-cancelled = Звонок отменён. Главное меню — /start.
call-card-expired-alert = Карточка уже заполнена дальше

## The call screen

call-screen-header = <b>{ $company }</b> · шаг { $step }/{ $total }
call-screen-input = ✍️ Напишите ответ: { $field }.
call-screen-input-example = ✍️ Напишите ответ: { $field }. Например: { $example }
call-screen-objection = 💬 <b>Возражение: { $label }</b>
call-screen-knockout = ⛔ <b>Стоп-фактор: { $title }</b> — лид не подходит.
call-screen-reached = 🏁 <b>Итог: { $title }</b>
call-screen-handoff = 🚀 Лид горячий и BANT собран — можно передать менеджерам прямо сейчас.
call-screen-objections = 💬 <b>Что возражает клиент?</b>
call-screen-finish = 🏁 <b>Чем закончился звонок?</b>
call-screen-note = 📝 <b>Напишите заметку</b> одним сообщением — она останется в карточке лида.
call-screen-nofit = ✍️ <b>Что сказал клиент?</b> Напишите его словами: ответ увидит автор скрипта, а звонок останется на этом шаге.
call-screen-callback = ⏰ <b>Когда перезвонить?</b> Напишите, например, «завтра в 15:00» — или выберите ниже.
call-screen-paused = ⏸ <b>Звонок на паузе.</b> Продолжить — кнопкой ниже или командой /resume.

call-back-button = ◀️ Назад
call-objection-button = 💬 Возражение
call-note-button = 📝 Заметка
call-nofit-button = ✍️ Нет подходящего ответа
call-pause-button = ⏸ Пауза
call-finish-button = 🏁 Завершить
call-dont-know-button = 🤷 Клиент не знает
call-return-button = ↩️ Вернуться к вопросу
call-finish-with-button = 🏁 Завершить: { $title }
call-disqualify-button = ⛔ Завершить: не подходит
call-handoff-button = 🚀 Передать менеджерам сейчас
call-cancel-button = ✖️ Отмена
call-resume-button = ▶️ Продолжить
call-new-call-button = 📞 Новый звонок
call-again-button = 📞 Позвонить снова
call-summary-button = 📋 Итоги звонка
call-callback-in-hour-button = Через час
call-callback-in-hour = через 1 час
call-callback-tomorrow-morning-button = Завтра в 10:00
call-callback-tomorrow-morning = завтра в 10:00
call-callback-tomorrow-afternoon-button = Завтра в 15:00
call-callback-tomorrow-afternoon = завтра в 15:00

## Answers to presses and typed text

call-recorded-alert = Уже записано
call-closed-alert = Этот вопрос уже закрыт
call-forged-alert = Эта кнопка недействительна
call-finished-alert = Звонок уже завершён
call-paused-alert = Звонок на паузе — нажмите «Продолжить»
call-flow-gone-alert = Скрипт этого звонка больше не загружен
call-no-route-alert = Скрипт не знает, куда вести дальше с этим ответом — сообщите автору скрипта
call-empty-alert = Пустой текст не сохранён
call-finished-toast = Звонок завершён
call-paused-toast = Звонок на паузе
call-handoff-toast = Лид передан менеджерам
call-callback-unclear = Не понял время — напишите, например, «завтра в 15:00».
call-callback-need-time = Во сколько перезвонить? Например: «завтра в 15:00».
call-reask = ⚠️ { $problem }
call-use-buttons = На этом шаге ответ выбирается кнопкой на экране звонка. Заметка — «📝 Заметка», слова клиента — «✍️ Нет подходящего ответа».
call-note-saved = 📝 Заметка сохранена.
call-nofit-saved = ✍️ Записал для автора скрипта. Звонок на том же шаге.
call-edited-ignored = Правка не учтена — отправьте ответ заново.
call-forwarded-ignored = Пересланное сообщение не принято как ответ — напишите ответ сами.
call-text-only = Пришлите ответ текстом — голосовые, стикеры, фото и файлы без подписи бот не разбирает.
call-paused-typed = ⏸ Звонок на паузе. Продолжить — /resume.
call-not-available = Этот звонок недоступен. Ваши звонки — /calls.
call-flow-gone = Скрипт этого звонка больше не загружен, продолжить его нельзя. Новый звонок — /call.
call-finished-notice = Этот звонок уже завершён. Новый звонок — /call.

## The summary

call-summary-title = 🏁 <b>Звонок завершён: { $outcome }</b>
call-summary-class = 🏷 Класс: { $title }
call-summary-probability = 🎯 Вероятность сделки: { $percent }%
call-summary-probability-prior = 🎯 Вероятность сделки: ≈{ $percent }% — по нашим сильным сторонам, приоритеты клиента не выяснены
call-summary-value = 💰 Ожидаемая сумма: { $amount }
call-summary-next = ➡️ Следующий шаг: { $text }
call-summary-for = 👍 { $text }
call-summary-against = 👎 { $text }
call-summary-reason = ⛔ Причина: { $reason }
call-summary-callback = ⏰ Перезвонить: { $when }
call-summary-lead-alerted = 🔥 Лид #L-{ $id } передан менеджерам.
call-summary-lead-saved = 🌱 Лид #L-{ $id } сохранён для прогрева.
call-summary-handoff = 🚀 Передан менеджерам, не дожидаясь конца скрипта.

## Reminders and lists

call-reminder-text = { $company }, { $phone } — { $details }
call-reminder-due = ⏰ <b>Перезвонить:</b> { $text }
call-list-line = #{ $id } · { $title } · { $status } · { $when }
call-list-outcome = { $status }: { $outcome }
call-list-open-button = ▶️ #{ $id } { $title }
call-list-summary-button = 📋 #{ $id } { $title }
