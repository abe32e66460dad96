# Main menu, help, access and common notices. Texts are Telegram HTML; button labels
# (menu-*, *-button) and alerts (*-alert) are plain text.

## Greeting and main menu

start-greeting = Hello, <b>{ $name }</b>!
start-role-hunter = 📞 You are a hunter: the bot walks you through the call script, suggests your lines and qualifies the lead as you go.
start-role-manager = 🔥 You are a manager: hot leads arrive in the managers' chat; claim one with a single tap.
start-role-admin = 🛠 You are an admin: you manage access to the bot and its settings.
start-choose = What shall we do?

menu-new-call = 📞 New call
menu-resume = ▶️ Continue a call
menu-my-calls = 📋 My calls
menu-callbacks = ⏰ Callbacks
menu-my-leads = 🔥 My leads
menu-team = 👥 Team
menu-home = ⬅️ Menu

## Help

help-title = <b>How to use the bot</b>
help-hunter =
    <b>Calls</b>
    /call — start a new call: the bot shows your line and the client's possible answers.
    /resume — continue an unfinished call where you left off.
    /calls — your latest calls and their outcomes.
    Answer with buttons or type the answer ("1.5m", "in 2 months"). Nothing gets lost: pause a call and come back to it later.
help-manager =
    <b>Leads</b>
    Qualified leads arrive in the managers' chat with their card and score. Tap "I'll take it" and the lead is yours (the first tap wins). Record the deal's outcome on the lead card.
    /leads — leads: open, mine, hot, by date.
    /lead 123 — a lead's full card: every answer, the notes and the call's timeline.
    /shift on or /shift off — on shift, new leads come to you in turn, privately.
help-reports =
    <b>Reports</b>
    /export — leads as CSV (optionally for a period: /export 2026-11-01 2026-11-30).
    /stats — the funnel, hunters, lead sources, script versions.
    /nofit — what clients said when the script had no answer (the last 30 days or a period: /nofit 2026-11-01 2026-11-30).
help-admin =
    <b>Administration</b>
    Access is granted by numeric Telegram ID: the ADMIN_IDS, HUNTER_IDS and MANAGER_IDS lists in the bot's settings.
    /status — alert delivery: the queue, the oldest wait, undelivered alerts.
help-footer =
    /start — main menu, /help — this help.
    Your Telegram ID: <code>{ $user_id }</code>

## Access

access-denied =
    Sorry, you don't have access to this bot.
    To get access, send your Telegram ID to an administrator: <code>{ $user_id }</code>
access-denied-alert = No access. Your Telegram ID: { $user_id } — send it to an administrator.
access-anonymous = Please write as yourself: the bot does not accept messages sent on behalf of a chat or by an anonymous admin.
access-anonymous-alert = Turn off anonymity: the bot only accepts taps made as yourself.

## Common notices

button-expired-alert = This button is no longer active
unknown-message = I didn't get that. Main menu — /start, help — /help.
error-generic = 😔 Something went wrong. We are looking into it; please try again a bit later.
error-generic-alert = Something went wrong, please try again

## Lists

call-status-open = in progress
call-status-paused = paused
call-status-finished = finished
call-untitled = untitled
calls-title = <b>My calls</b>
calls-empty = No calls yet. New call — /call.
resume-title = <b>Unfinished calls</b>
    Choose one to continue:
resume-empty = No unfinished calls. New call — /call.
resume-button = ▶️ #{ $id } { $title }
callbacks-title = <b>Callbacks</b>
callbacks-empty = No callbacks scheduled.
callbacks-line = { $when } — { $text }
callbacks-button = 📞 { $when } { $title }
reminder-due =
    ⏰ <b>Time to call back</b>
    { $text }
lead-status-new = new
lead-status-claimed = claimed
lead-status-in_progress = in progress
lead-status-won = won
lead-status-lost = lost
lead-status-rejected = rejected
team-title = <b>Team</b>
team-hunters = <b>Hunters</b>
team-managers = <b>Managers</b>
team-admins = <b>Admins</b>
team-line = • { $name } — <code>{ $user_id }</code>
team-nobody = • nobody
team-unnamed = (has not written to the bot yet)

## BANT, as the summary and the lead card show it

bant-title = <b>BANT</b>
bant-line = { $mark } { $name }: { $answer }
bant-unknown = { $mark } { $name }: not found out
bant-budget = Budget
bant-authority = Authority
bant-need = Need
bant-timeline = Timeline
bant-status-confirmed = confirmed
bant-status-partial = partly
bant-status-unknown = not found out
bant-status-negative = no

## Bot commands (the menu next to the input field)

command-start = Main menu
command-call = New call
command-resume = Continue a call
command-calls = My calls
command-help = Help
command-leads = Leads: open, mine, hot, by date
command-lead = A lead's full card: /lead 123
command-shift = On shift: /shift on or /shift off
command-stats = Funnel, hunters, sources, scripts
command-nofit = Client answers the script lacks
command-export = Export leads to CSV
command-status = Alert delivery: queue and failures
