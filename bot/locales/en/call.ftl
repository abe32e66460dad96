# The hunter's call: choosing the script, the lead card, the call screen, the summary.
# Texts are Telegram HTML; button labels (*-button) and alerts (*-alert, *-toast) are plain text.

## Choosing the script and the lead card

call-pick-flow =
    <b>New call</b>
    Choose the script:
call-no-flows = No call scripts are loaded — ask an administrator.
call-hunters-only = Calls are made by hunters. To get the role, send your Telegram ID to an administrator: <code>{ $user_id }</code>
call-hunters-only-alert = Only hunters make calls
call-card-title = <b>{ $flow }</b> · lead card { $number }/{ $total }
call-card-ask = <b>{ $field }</b>? Type it in.
call-card-ask-choice = <b>{ $field }</b>? Choose or type it in.
call-card-example = <i>For example: { $example }</i>
call-card-optional = <i>You can skip it.</i>
call-card-skip-button = ⏭ Skip
call-card-cancel-button = ✖️ Cancel the call
call-card-required-alert = This field is required
call-card-required-reask = This field is required. Type, for example: { $examples }.
call-card-cancelled = Call cancelled. Main menu — /start.
call-card-expired-alert = The card has moved on already

## The call screen

call-screen-header = <b>{ $company }</b> · step { $step }/{ $total }
call-screen-input = ✍️ Type the answer: { $field }.
call-screen-input-example = ✍️ Type the answer: { $field }. For example: { $example }
call-screen-objection = 💬 <b>Objection: { $label }</b>
call-screen-knockout = ⛔ <b>Knock-out: { $title }</b> — the lead does not fit.
call-screen-reached = 🏁 <b>Outcome: { $title }</b>
call-screen-handoff = 🚀 The lead is hot and BANT is complete — you can hand it to the managers right now.
call-screen-objections = 💬 <b>What is the client's objection?</b>
call-screen-finish = 🏁 <b>How did the call end?</b>
call-screen-note = 📝 <b>Type a note</b> in one message — it stays on the lead card.
call-screen-nofit = ✍️ <b>What did the client say?</b> Type it in their words: the script author will see it, and the call stays on this step.
call-screen-callback = ⏰ <b>When to call back?</b> Type, for example, "tomorrow 3pm" — or choose below.
call-screen-paused = ⏸ <b>The call is paused.</b> Continue with the button below or with /resume.

call-back-button = ◀️ Back
call-objection-button = 💬 Objection
call-note-button = 📝 Note
call-nofit-button = ✍️ No fitting answer
call-pause-button = ⏸ Pause
call-finish-button = 🏁 Finish
call-dont-know-button = 🤷 Client doesn't know
call-return-button = ↩️ Back to the question
call-finish-with-button = 🏁 Finish: { $title }
call-disqualify-button = ⛔ Finish: not a fit
call-handoff-button = 🚀 Hand to managers now
call-cancel-button = ✖️ Cancel
call-resume-button = ▶️ Continue
call-new-call-button = 📞 New call
call-again-button = 📞 Call again
call-summary-button = 📋 Call summary
call-callback-in-hour-button = In an hour
call-callback-in-hour = in 1 hour
call-callback-tomorrow-morning-button = Tomorrow 10:00
call-callback-tomorrow-morning = tomorrow 10am
call-callback-tomorrow-afternoon-button = Tomorrow 15:00
call-callback-tomorrow-afternoon = tomorrow 3pm

## Answers to presses and typed text

call-recorded-alert = Already recorded
call-closed-alert = This question is closed
call-forged-alert = This button is not valid
call-finished-alert = The call is already finished
call-paused-alert = The call is paused — press "Continue"
call-flow-gone-alert = This call's script is no longer loaded
call-no-route-alert = The script has no next step for this answer — tell the script author
call-empty-alert = Empty text was not saved
call-finished-toast = Call finished
call-paused-toast = Call paused
call-handoff-toast = Lead handed to the managers
call-callback-unclear = I did not get the time — type, for example, "tomorrow 3pm".
call-callback-need-time = What time should I call back? For example: "tomorrow 3pm".
call-reask = ⚠️ { $problem }
call-use-buttons = On this step the answer is a button on the call screen. A note — "📝 Note"; the client's words — "✍️ No fitting answer".
call-note-saved = 📝 Note saved.
call-nofit-saved = ✍️ Recorded for the script author. The call stays on this step.
call-edited-ignored = The edit was not applied — send the answer again.
call-forwarded-ignored = A forwarded message is not taken as an answer — type the answer yourself.
call-text-only = Please send the answer as text — the bot does not read voice messages, stickers, photos or files without a caption.
call-paused-typed = ⏸ The call is paused. Continue with /resume.
call-not-available = This call is not available. Your calls — /calls.
call-flow-gone = This call's script is no longer loaded, so it cannot continue. New call — /call.
call-finished-notice = This call is already finished. New call — /call.

## The summary

call-summary-title = 🏁 <b>Call finished: { $outcome }</b>
call-summary-class = 🏷 Class: { $title }
call-summary-probability = 🎯 Deal probability: { $percent }%
call-summary-probability-prior = 🎯 Deal probability: ≈{ $percent }% — our strengths alone, the client's priorities were not asked
call-summary-value = 💰 Expected value: { $amount }
call-summary-next = ➡️ Next step: { $text }
call-summary-for = 👍 { $text }
call-summary-against = 👎 { $text }
call-summary-reason = ⛔ Reason: { $reason }
call-summary-callback = ⏰ Call back: { $when }
call-summary-lead-alerted = 🔥 Lead #L-{ $id } handed to the managers.
call-summary-lead-saved = 🌱 Lead #L-{ $id } saved for nurturing.
call-summary-handoff = 🚀 Handed to the managers before the script's end.

## Reminders and lists

call-reminder-text = { $company }, { $phone } — { $details }
call-reminder-due = ⏰ <b>Call back:</b> { $text }
call-list-line = #{ $id } · { $title } · { $status } · { $when }
call-list-outcome = { $status }: { $outcome }
call-list-open-button = ▶️ #{ $id } { $title }
call-list-summary-button = 📋 #{ $id } { $title }
