# The managers' side: lead cards, digests, outcomes, lists, reports, delivery status.
# Texts are Telegram HTML; button labels (mgr-btn-*), alerts (*-alert) and short words used
# inside other texts are plain text.

## Words

mgr-temperature-hot = hot
mgr-temperature-warm = warm
mgr-temperature-cold = cold
mgr-role-dm = decision-maker
mgr-role-influencer = influencer
mgr-role-committee = buying committee
mgr-role-gatekeeper = gatekeeper
mgr-level-yes = yes
mgr-level-partial = partly
mgr-level-no = no
mgr-level-unknown = unknown
mgr-lost-expensive = too expensive
mgr-lost-competitor = chose a competitor
mgr-lost-no_budget = no budget
mgr-lost-no_answer = not answering
mgr-lost-postponed = postponed
mgr-lost-other = other
mgr-reject-profile = not our profile
mgr-reject-no_need = no need
mgr-reject-duplicate = duplicate
mgr-reject-contact = wrong contact
mgr-reject-other = other

## The alert card

mgr-card-title-new = { $emoji } <b>New lead { $ref }</b> · { $temperature }
mgr-card-title = { $emoji } <b>Lead { $ref }</b> · { $temperature }
mgr-card-company = 🏢 <b>{ $company }</b>
mgr-card-contact = 👤 { $contact } · { $role }
mgr-card-contact-plain = 👤 { $contact }
mgr-card-phone = 📞 { $phone }
mgr-card-email = ✉️ { $email }
mgr-card-score = 📊 <b>{ $score }/100</b>
mgr-card-class = class { $title }
mgr-card-probability = probability { $percent }%
mgr-card-probability-prior = probability ≈{ $percent }% (client's priorities not asked)
mgr-card-expected = expected value { $value }
mgr-card-for = 👍 For: { $reasons }
mgr-card-against = 👎 Against: { $reasons }
mgr-card-next-step = ➡️ Next step: { $step }
mgr-card-notes =
    📝 <b>Hunter's notes</b>
    { $notes }
mgr-card-footer = 🎧 { $hunter } · 📜 { $flow } v{ $version } · 🕒 { $when }
mgr-card-handoff = 🚀 The hunter handed the lead over before the script's end: call now.
mgr-card-sla = ⏳ Claim within { $minutes } min
mgr-card-cut = ✂️ Long answers are shortened — see “Details” for all of them.

mgr-status-assigned = 👉 Assigned by rotation: <b>{ $name }</b>
mgr-status-claimed = ✋ Claimed by <b>{ $name }</b> · { $when }
mgr-status-in-progress = 🔄 In progress with <b>{ $name }</b>
mgr-status-won = 🏆 Won · <b>{ $amount }</b> · { $name }
mgr-status-lost = ❌ Lost · { $reason } · { $name }
mgr-status-rejected = 🚫 Not a target lead · { $reason }

mgr-btn-claim = ✋ I'll take it
mgr-btn-pass = ↪️ Pass to a colleague
mgr-btn-reject = 🚫 Not a target
mgr-btn-details = ℹ️ Details
mgr-btn-progress = 🔄 In progress
mgr-btn-won = 🏆 Won
mgr-btn-lost = ❌ Lost
mgr-btn-back = ⬅️ Back
mgr-btn-colleague = ↪️ { $name }
mgr-btn-digest-lead = { $emoji } { $ref }

## Digest of a burst of alerts

mgr-digest-title = 📬 <b>{ $count ->
        [one] { $count } new lead
       *[other] { $count } new leads
    }</b> — hot first:
mgr-digest-line = { $emoji } <b>{ $ref }</b> · { $company } · { $score }/100 · { $lead_class }
mgr-digest-taken = ✋ claimed by { $name }
mgr-digest-closed-won = 🏆 won
mgr-digest-closed-lost = ❌ lost
mgr-digest-closed-rejected = 🚫 not a target
mgr-digest-hint = Tap a lead — its card with buttons comes to your private chat.

## Presses

mgr-claimed-alert = ✅ Lead { $ref } is yours
mgr-refused-taken-by = Already claimed by { $name }
mgr-refused-owned-by = This is { $name }'s lead: only they can act on it
mgr-refused-closed-as = The lead is closed: { $status }
mgr-refused-not_manager = Only managers can claim leads and mark outcomes
mgr-refused-not_found = No such lead
mgr-refused-taken = Someone already claimed the lead
mgr-refused-already_yours = This lead is already yours
mgr-refused-not_owner = This is not your lead
mgr-refused-closed = The lead is closed
mgr-refused-not_claimed = Claim the lead first: “✋ I'll take it”
mgr-refused-bad_colleague = The lead cannot be passed to this person
mgr-no-colleagues = Nobody to pass it to: there are no other managers
mgr-pick-colleague = Pass it to whom?
mgr-pick-reason = Pick a reason
mgr-passed-alert = Lead passed to { $name }
mgr-passed-to-you = ↪️ <b>{ $name }</b> passed lead { $ref } to you
mgr-pass-undeliverable = Not passed: { $name } did not get the card — they have not started the bot, or Telegram did not answer. Ask them to press /start with the bot, then pass it again
mgr-assigned-to-you = 👉 <b>A new lead is assigned to you</b> (shift rotation). Tap “✋ I'll take it” to claim it.
mgr-rejected-alert = Marked as not a target lead
mgr-progress-alert = Marked: in progress
mgr-lost-alert = Marked: lost
mgr-sent-privately = Sent to your private chat
mgr-open-private-chat = Open a private chat with the bot (/start) and tap again
mgr-amount-asked = Type the amount in your private chat with the bot
mgr-amount-prompt =
    🏆 <b>Deal for lead { $ref }</b>
    What amount? For example: “1.5m”, “200k” or “$300,000”. Cancel — /cancel.
mgr-amount-invalid =
    { $problem }
    Cancel — /cancel.
mgr-amount-unknown = The deal amount is needed.
mgr-amount-currency = An amount in the lead's currency ({ $sign }): e.g. “1.5m” or “200k”.
mgr-amount-positive = The deal amount must be above zero: e.g. “1.5m” or “200k”.
mgr-amount-cancelled = OK, no amount recorded.
mgr-amount-refused = Not recorded: { $reason }
mgr-won-done = 🏆 Lead { $ref } won: <b>{ $amount }</b>. Congratulations!

## SLA and delivery reports

mgr-sla-reminder =
    ⏰ <b>{ $ref }</b> · { $company } has waited { $minutes } min (SLA { $sla } min) — nobody claimed it.
    Who takes it? Tap “✋ I'll take it” on the card.
mgr-sla-reminder-digest =
    ⏰ <b>{ $ref }</b> · { $company } has waited { $minutes } min (SLA { $sla } min) — nobody claimed it.
    It came in a digest: open it with its button there or with /lead { $id } and tap “✋ I'll take it”.
mgr-sla-reminder-open =
    ⏰ <b>{ $ref }</b> · { $company } has waited { $minutes } min (SLA { $sla } min) — nobody claimed it.
    Open its card: /lead { $id } — and tap “✋ I'll take it”.
mgr-sla-escalation =
    ⚠️ <b>Lead { $ref } is not claimed</b> after { $minutes } min — twice its SLA ({ $sla } min).
    { $company }. Card: /lead { $id }
mgr-dead-report =
    🚨 <b>Alert { $ref } was not delivered</b> to the managers' chat: { $error }
    The lead is saved ({ $company }): /lead { $id }. Check that the bot is in the chat; /status shows the queue.
mgr-dead-report-assign =
    🚨 <b>Lead { $ref } did not reach { $name }</b> (assigned by shift rotation): { $error }
    The assignment is withdrawn; the lead waits in the managers' chat again ({ $company }): /lead { $id }
mgr-dead-report-escalation =
    🚨 <b>The reminder about lead { $ref } did not reach { $name }</b>: { $error }
    The lead is still unclaimed ({ $company }): /lead { $id }

## Details and the full record

mgr-details-title = ℹ️ <b>{ $ref }</b> · { $company }
mgr-details-none = No call details.
mgr-details-fields-title = <b>Card</b>
mgr-details-field = • { $title }: { $value }
mgr-details-answers-title = <b>The client's answers</b>
mgr-details-answer =
    ❓ { $question }
    ➜ <b>{ $answer }</b>
mgr-details-criteria-title = <b>Score by criterion</b>
mgr-details-criterion = • { $title }: { $level } — { $points } of { $weight }
mgr-details-for = <b>👍 For</b>
mgr-details-against = <b>👎 Against</b>
mgr-details-knockouts = <b>⛔ Knock-outs</b>
mgr-details-unasked = <b>❔ Not asked</b>
mgr-details-notes = <b>📝 Hunter's notes</b>
mgr-details-item = • { $text }
mgr-details-strategy = 🧭 <b>Strategy:</b> { $text }
mgr-record-call-title = <b>The call</b>
mgr-record-call-line = { $when } · { $what }
mgr-record-lead-title = <b>Lead history</b>
mgr-record-lead-line = { $when } · { $who } · { $what }
mgr-record-empty = • nothing yet
mgr-event-generic = { $step } · { $kind }: { $detail }
mgr-event-bare = { $step } · { $kind }
mgr-event-card = lead card
mgr-event-input = answer
mgr-event-unknown = the client does not know
mgr-event-objection = objection
mgr-event-resume = back to the script
mgr-event-note = note
mgr-event-nofit = no fitting answer
mgr-event-back = step back
mgr-event-finish = call outcome: { $outcome }
mgr-history-claimed = claimed the lead
mgr-history-passed = passed the lead to { $name }
mgr-history-assigned = assigned by rotation to { $name }
mgr-history-rejected = not a target: { $reason }
mgr-history-in_progress = in progress
mgr-history-won = won: { $amount }
mgr-history-lost = lost: { $reason }

## Lists

mgr-filter-open = Open
mgr-filter-mine = Mine
mgr-filter-hot = 🔥 Hot
mgr-filter-today = Today
mgr-filter-week = Week
mgr-list-title = <b>Leads: { $filter }</b> ({ $count })
mgr-list-line = { $emoji } #L-{ $id } · { $title } · { $who } · { $when }
mgr-list-owner = with { $name }
mgr-list-empty = Nothing here yet.
mgr-list-more = … and { $count } more — the full list: /export
mgr-list-hint = A lead's card with every answer — /lead and its number, e.g. /lead 12.
mgr-only-managers = This command is for managers and admins.
mgr-admins-only = This command is for admins.
mgr-lead-usage = Give the lead's number: /lead 12
mgr-leads-usage = Usage: /leads, /leads mine, /leads hot, /leads today or /leads week.
mgr-lead-missing = There is no lead { $ref }.

## Shifts (round-robin)

mgr-shift-started =
    ✅ You are on shift: new leads are assigned in turn and come to your private chat.
    On shift: { $names }
mgr-shift-ended =
    Shift ended; no more leads are assigned to you.
    On shift: { $names }
mgr-shift-status-on =
    You are on shift. End it — /shift off.
    On shift: { $names }
mgr-shift-status-off =
    You are not on shift. Start — /shift on.
    On shift: { $names }
mgr-shift-usage = /shift on — start a shift, /shift off — end it.
mgr-shift-managers-only = Shifts are for managers.
mgr-shift-nobody = nobody

## Delivery status (/status)

mgr-health-title = 🩺 <b>Delivery status</b>
mgr-health-no-chat = ⚠️ No managers' chat is set (MANAGER_CHAT_ID): alerts have nowhere to go.
mgr-health-chat = Managers' chat: <code>{ $chat }</code>
mgr-health-chat-moved = Managers' chat: <code>{ $chat }</code> (the group became a supergroup; old id { $old })
mgr-health-queue-empty = ✅ The queue is empty
mgr-health-queue = Waiting to be sent: { $count }, the oldest for { $age }
mgr-health-queue-stuck = 🔴 Waiting to be sent: { $count }, the oldest for { $age }: delivery is stuck
mgr-health-dead = 🚨 Not delivered: { $count }
mgr-health-dead-line = • { $ref } · { $kind } · { $error }
mgr-delivery-alert = alert to the managers' chat
mgr-delivery-sla_reminder = SLA reminder
mgr-delivery-sla_escalation = escalation to an admin
mgr-delivery-assign = shift assignment
mgr-delivery-dead_report = undelivered report
mgr-health-no-dead = ✅ Nothing undelivered
mgr-health-shift = On shift: { $names }
mgr-health-time = Now: { $now }

## Export and statistics

mgr-export-usage = Usage: /export or /export 2026-11-01 2026-11-30 (both days included).
mgr-export-caption = 📤 Leads — { $period }: { $count }. The file opens in Excel.
mgr-stats-usage = Usage: /stats or /stats 2026-11-01 2026-11-30 (both days included).
mgr-period-all = all time
mgr-stats-title = 📈 <b>Statistics</b> · { $period }
mgr-digest-weekly-title = 🗓 <b>The week in review</b> · { $period }
mgr-stats-funnel =
    <b>Funnel</b>
    📞 Calls: { $calls }
    ✅ Qualified: { $qualified } ({ $qualified_rate })
    ✋ Claimed: { $claimed } ({ $claimed_rate })
    🏆 Won: { $won } ({ $won_rate }) for { $amount }
mgr-stats-timing =
    ⏱ Median time to claim: { $to_claim }
    ☎️ Median time to first contact: { $to_contact }
mgr-stats-hunters = <b>By hunter</b> (calls / leads / won)
mgr-stats-sources = <b>By lead source</b> (calls / leads / won)
mgr-stats-flows = <b>By script version</b> (calls / leads / won)
mgr-stats-line = • { $name }: { $calls } / { $leads } / { $won }
mgr-stats-lost = <b>Why we lose</b>
mgr-stats-lost-line = • { $reason }: { $count }
# Joins the last two sums in different currencies: 1 500 000 ₽ and 1 000 $.
mgr-amounts-and = and
mgr-duration-minutes = { $n } min
mgr-duration-hours = { $n } h
mgr-duration-days = { $n } d
mgr-chart-funnel = Funnel
mgr-chart-calls = Calls
mgr-chart-qualified = Leads
mgr-chart-claimed = Claimed
mgr-chart-won = Won
mgr-chart-hunters = Leads and deals by hunter
mgr-chart-caption = 📊 Funnel and hunters · { $period }

## CSV column headers

mgr-csv-reference = Lead
mgr-csv-created_at = Created
mgr-csv-status = Status
mgr-csv-hunter = Hunter
mgr-csv-owner = Manager
mgr-csv-flow = Script
mgr-csv-flow_version = Script version
mgr-csv-company = Company
mgr-csv-contact = Contact
mgr-csv-phone = Phone
mgr-csv-email = Email
mgr-csv-source = Source
mgr-csv-score = Score
mgr-csv-temperature = Temperature
mgr-csv-lead_class = Class
mgr-csv-probability = Probability, %
mgr-csv-expected_value = Expected value
mgr-csv-currency = Currency
mgr-csv-contact_role = Contact role
mgr-csv-bant_budget = BANT: budget
mgr-csv-bant_authority = BANT: authority
mgr-csv-bant_need = BANT: need
mgr-csv-bant_timeline = BANT: timeline
mgr-csv-reasons_for = For
mgr-csv-reasons_against = Against
mgr-csv-answers = Answers
mgr-csv-notes = Notes
mgr-csv-claimed_at = Claimed
mgr-csv-first_contact_at = First contact
mgr-csv-outcome_amount = Deal amount
mgr-csv-outcome_reason = Reason
mgr-csv-outcome_at = Outcome marked

## What clients said that the scripts had no answer for (/nofit)

mgr-nofit-usage = Usage: /nofit or /nofit 2026-11-01 2026-11-30 (both days included). Without dates: the last 30 days.
mgr-nofit-empty = ✍️ No "No fitting answer" entries for { $period } yet.
mgr-nofit-title = ✍️ <b>No fitting answer</b> · { $period }
mgr-nofit-total = What clients said when the script had no answer for it. Entries: { $count }
mgr-nofit-script = 📜 <b>{ $title } v{ $version }</b>
mgr-nofit-step = ❓ <i>{ $question }</i> — { $count }
mgr-nofit-entry = • { $when } · { $hunter }: “{ $text }”
mgr-nofit-more = … and { $count } more — every entry in full is in the CSV file.
mgr-nofit-caption = 📎 "No fitting answer" — { $period }: { $count }. The file opens in Excel.
mgr-nofit-csv-date = Date
mgr-nofit-csv-script = Script
mgr-nofit-csv-version = Script version
mgr-nofit-csv-step = Step
mgr-nofit-csv-question = Step question
mgr-nofit-csv-hunter = Hunter
mgr-nofit-csv-text = What the client said
