# Main menu, help, access and common notices. Texts are Telegram HTML; button labels
# (menu-*, *-button) and alerts (*-alert) are plain text.

## Greeting and main menu

start-greeting = Здравствуйте, <b>{ $name }</b>!
start-role-hunter = 📞 Вы — хантер: бот ведёт вас по скрипту звонка, подсказывает реплики и на ходу квалифицирует лида.
start-role-manager = 🔥 Вы — менеджер: горячие лиды приходят в чат менеджеров, забирайте их одним нажатием.
start-role-admin = 🛠 Вы — администратор: управляете доступом к боту и настройками.
start-choose = Что делаем?

menu-new-call = 📞 Новый звонок
menu-resume = ▶️ Продолжить звонок
menu-my-calls = 📋 Мои звонки
menu-callbacks = ⏰ Перезвоны
menu-my-leads = 🔥 Мои лиды
menu-team = 👥 Команда
menu-home = ⬅️ В меню

## Help

help-title = <b>Как пользоваться ботом</b>
help-hunter =
    <b>Звонки</b>
    /call — начать новый звонок: бот покажет реплику и варианты ответа клиента.
    /resume — продолжить незавершённый звонок с того места, где остановились.
    /calls — последние звонки и их итоги.
    Отвечайте кнопками или пишите ответ текстом («1,5 млн», «через 2 месяца»). Ничего не теряется: звонок можно поставить на паузу и вернуться к нему позже.
help-manager =
    <b>Лиды</b>
    Квалифицированные лиды приходят в чат менеджеров с карточкой и оценкой. Нажмите «Беру» — лид ваш (кто первый нажал, тот и взял). Итог сделки отмечайте в карточке лида.
    /leads — лиды: открытые, мои, горячие, по дате.
    /lead 123 — полная карточка лида: все ответы, заметки и ход звонка.
    /shift on или /shift off — на смене: новые лиды по очереди приходят вам лично.
help-reports =
    <b>Отчёты</b>
    /export — выгрузка лидов в CSV (можно за период: /export 2026-11-01 2026-11-30).
    /stats — воронка, хантеры, источники лидов, версии скриптов.
    /nofit — что говорили клиенты, когда в скрипте не нашлось ответа (за 30 дней или за период: /nofit 2026-11-01 2026-11-30).
help-admin =
    <b>Администрирование</b>
    Доступ выдаётся по числовому Telegram ID: списки ADMIN_IDS, HUNTER_IDS и MANAGER_IDS в настройках бота.
    /status — доставка алертов: очередь, самое старое ожидание, недоставленные.
help-footer =
    /start — главное меню, /help — эта справка.
    Ваш Telegram ID: <code>{ $user_id }</code>

## Access

access-denied =
    Извините, у вас нет доступа к этому боту.
    Чтобы получить доступ, передайте администратору ваш Telegram ID: <code>{ $user_id }</code>
access-denied-alert = Нет доступа. Ваш Telegram ID: { $user_id } — передайте его администратору.
access-anonymous = Пишите от своего имени: сообщения от имени чата или анонимного администратора бот не принимает.
access-anonymous-alert = Отключите анонимность: бот принимает нажатия только от своего имени.

## Common notices

button-expired-alert = Эта кнопка больше не активна
unknown-message = Не понял сообщение. Главное меню — /start, справка — /help.
error-generic = 😔 Что-то пошло не так. Мы уже разбираемся; попробуйте ещё раз чуть позже.
error-generic-alert = Что-то пошло не так, попробуйте ещё раз

## Lists

call-status-open = идёт
call-status-paused = на паузе
call-status-finished = завершён
call-untitled = без названия
calls-title = <b>Мои звонки</b>
calls-empty = Звонков пока нет. Новый звонок — /call.
resume-title = <b>Незавершённые звонки</b>
    Выберите, какой продолжить:
resume-empty = Незавершённых звонков нет. Новый звонок — /call.
resume-button = ▶️ #{ $id } { $title }
callbacks-title = <b>Перезвоны</b>
callbacks-empty = Запланированных перезвонов нет.
callbacks-line = { $when } — { $text }
callbacks-button = 📞 { $when } { $title }
reminder-due =
    ⏰ <b>Пора перезвонить</b>
    { $text }
lead-status-new = новый
lead-status-claimed = взят
lead-status-in_progress = в работе
lead-status-won = выигран
lead-status-lost = проигран
lead-status-rejected = отклонён
team-title = <b>Команда</b>
team-hunters = <b>Хантеры</b>
team-managers = <b>Менеджеры</b>
team-admins = <b>Администраторы</b>
team-line = • { $name } — <code>{ $user_id }</code>
team-nobody = • никого
team-unnamed = (ещё не писал боту)

## BANT, as the summary and the lead card show it

bant-title = <b>BANT</b>
bant-line = { $mark } { $name }: { $answer }
bant-unknown = { $mark } { $name }: не выяснили
bant-budget = Бюджет
bant-authority = Полномочия
bant-need = Потребность
bant-timeline = Сроки
bant-status-confirmed = подтверждено
bant-status-partial = частично
bant-status-unknown = не выяснили
bant-status-negative = нет

## Bot commands (the menu next to the input field)

command-start = Главное меню
command-call = Новый звонок
command-resume = Продолжить звонок
command-calls = Мои звонки
command-help = Справка
command-leads = Лиды: открытые, мои, горячие, по дате
command-lead = Полная карточка лида: /lead 123
command-shift = На смене: /shift on или /shift off
command-stats = Воронка, хантеры, источники, скрипты
command-nofit = Ответы клиентов, которых нет в скрипте
command-export = Выгрузка лидов в CSV
command-status = Доставка алертов: очередь и ошибки
