# English texts. Fluent syntax: { $name } inserts an argument; [one] / *[other] handle plurals.

## Coach commands: help

admin-help-title = Coach commands:
admin-help-promo = create promo codes in one go
admin-help-promo-edit = change one code (discount, dates, max, for:, on, off, delete)
admin-help-promo-batch = change a whole batch (codes changed one by one keep their own value)
admin-help-promos = list batches, a batch's codes, or export it as CSV
admin-help-help = this help; the full promo code grammar
admin-example = Example: { $example }

## Coach commands: errors

admin-error-unknown-command = Unknown command: /{ $name }. Type /help for the list.
admin-error-usage = Something is missing after /{ $command }.
admin-error-unknown-option = Unknown option: "{ $name }:".
admin-error-unknown-option-suggest = Unknown option: "{ $name }:". Did you mean "{ $suggestion }:"?
admin-error-duplicate-option = The option "{ $name }" is given twice.
admin-error-empty-value = The option "{ $name }:" has no value.
admin-error-date = { $option }: "{ $got }" is not a valid date (dd/mm, dd/mm/yyyy, yyyy-mm-dd or +30d).
admin-error-date-past = { $option }: { $date } has already passed.
admin-error-number = { $option }: "{ $got }" is not a whole number.
admin-error-amount = { $option }: "{ $got }" is not an amount.
admin-error-contact = for: "{ $got }" is neither a phone number nor an email.
admin-error-conflicting = "{ $first }" and "{ $second }" do not go together.
admin-error-unexpected = I don't understand "{ $word }" here.
admin-error-quote = A quote is opened and never closed.
admin-error-internal = Sorry, a technical problem stops me from doing that. Please try again in a moment.

## Promo codes: command errors

promo-error-count = The number of codes must be a whole number above 0 (got "{ $got }").
promo-error-count-limit = { $got } codes is too many at once: { $limit } at most here.
promo-error-missing-discount = Give the discount, for example -20% or -15.
promo-error-missing-minus = A discount starts with a minus sign: write { $suggestion }.
promo-error-percent = A percentage goes from 1 to 100 (got { $got }).
promo-error-zero = A discount of 0 takes nothing off.
promo-error-discount = "{ $got }" is not a discount: write -20% or -15.
promo-error-prefix = Prefix "{ $got }": 1 to 12 letters A–Z or digits, no symbols.
promo-error-length = Length "{ $got }": from 6 to 16 characters.
promo-error-only-create = The option "{ $option }:" is only for creating codes.
promo-error-unknown-offer = Unknown offer: "{ $id }". Offers: { $known }.
promo-error-unknown-course = Unknown course: "{ $id }". Courses: { $known }.
promo-error-exhausted = Could not draw enough distinct codes: try a longer length (len:12).
promo-error-not-found = Unknown batch. Type /promos for the list.
promo-error-unknown-code = Unknown code: { $code }.

## Promo codes: help

promo-help-intro = /promo COUNT DISCOUNT [options] creates COUNT unique codes on the same terms. DISCOUNT: -20% or -15 (in your currency). Options:
promo-help-exp = end date (dd/mm, dd/mm/yyyy, yyyy-mm-dd) or delay after creation (+30d, +2w)
promo-help-start = start date
promo-help-max = uses per code (1 by default, 0 = unlimited)
promo-help-per-contact = uses per customer (1 by default, 0 = unlimited)
promo-help-offer = only for these offers (comma-separated)
promo-help-course = only for these courses
promo-help-min = minimum order amount
promo-help-prefix = code prefix (A–Z, 0–9, 12 at most)
promo-help-len = length of the random part (6 to 16, 8 by default)
promo-help-for = reserved for one customer (phone or email)
promo-help-note = a note for yourself
promo-help-examples = Examples: /promo 10 -20% · /promo 5 -15 exp:31/12 offer:pack10 · /promo 50 -10% exp:+30d max:1 per-contact:1 prefix:XMAS · /promo 1 -25% for:+33612345678. Then: /promo CODE -30%, /promo CODE off, /promo lot BATCH exp:15/01, /promos, /promos BATCH csv.

## Promo codes: results

promo-created-count = { $count ->
    [one] { $count } code created
   *[other] { $count } codes created
}
promo-created = ✅ { $count ->
    [one] { $count } code created
   *[other] { $count } codes created
} (batch { $batch }):
promo-cli-done = ✅ { $count ->
    [one] { $count } code created
   *[other] { $count } codes created
} (batch { $batch }).
promo-created-attached = The full list is in the attached file (or /promos { $batch } csv).
promo-exported = { $count ->
    [one] { $count } code
   *[other] { $count } codes
} of batch { $batch } as CSV.
promo-term-until = valid until { $date } included
promo-term-no-end = no end date
promo-term-from = from { $date }
promo-term-max = { $max ->
    [0] unlimited uses
    [one] { $max } use per code
   *[other] { $max } uses per code
}
promo-term-per-contact = { $max ->
    [one] once per customer
   *[other] { $max } times per customer
}
promo-term-offers = offers: { $ids }
promo-term-courses = courses: { $ids }
promo-term-min = from { $amount }
promo-value-none = none
promo-value-unlimited = unlimited
promo-value-all = all
promo-field-discount = discount
promo-field-expires = end
promo-field-starts = start
promo-field-max = max uses
promo-field-per-contact = uses per customer
promo-field-offers = offers
promo-field-courses = courses
promo-field-min = minimum
promo-changed = ✅ { $target }: { $field } { $new } (was: { $old })
promo-assigned = ✅ { $code }: reserved for { $contact }
promo-switched-off = ✅ { $code }: disabled
promo-switched-on = ✅ { $code }: enabled again
promo-unchanged = { $code }: nothing changed.
promo-deleted = ✅ { $code }: deleted
promo-delete-refused = { $code } cannot be deleted: it was already used { $uses ->
    [one] once
   *[other] { $uses } times
}. Disable it instead: /promo { $code } off
promo-batch-name = batch { $batch }
promo-batch-applied = Applied to { $applied ->
    [one] { $applied } code
   *[other] { $applied } codes
}; { $kept ->
    [0] no code keeps its own value.
    [one] { $kept } code keeps its own value.
   *[other] { $kept } codes keep their own value.
}
promo-no-batches = No promo codes yet. Create some: /promo 10 -20%
promo-batches-title = Promo code batches:
promo-batch-line = { $batch } · { $discount } · end: { $expires } · { $used }/{ $total } used
promo-codes-title = Batch { $batch } ({ $count ->
    [one] { $count } code
   *[other] { $count } codes
}):
promo-codes-more = … and { $more } more: /promos { $batch } csv
promo-status-unused = unused
promo-status-used = used
promo-status-used-up = used up
promo-status-expired = expired
promo-status-disabled = disabled
promo-status-uses = used { $uses }/{ $max }
promo-csv-header = code,discount,end,max,uses,contact,status

## Promo codes: visitor side

promo-refused-unknown = I can't find that code. Could you check the spelling?
promo-refused-disabled = This code is no longer active.
promo-refused-not-yet = This code will be valid from { $date }.
promo-refused-expired = This code expired on { $date }.
promo-refused-used-up = This code has already been used as many times as allowed.
promo-refused-already-used = You have already used this code.
promo-refused-not-for-offer = This code is not valid for this offer.
promo-refused-not-for-course = This code is not valid for this course.
promo-refused-minimum = This code applies from { $amount }.
promo-refused-assigned = This code is reserved for someone else.
promo-accepted = Code accepted: { $discount }. New price: { $price }.

## Front desk: checking tickets

checkin-ok = ✅ { $name } — { $course } { $time }
checkin-already = Ticket already checked in at { $at }.
checkin-invalid = ⛔ This ticket is not valid (unreadable, altered or from another studio).
checkin-unknown = ⛔ Booking not found.
checkin-cancelled = ⛔ This booking was cancelled.
checkin-unpaid = ⛔ This booking is not paid yet.
checkin-other-day = ⛔ This ticket is for { $date }.
checkin-no-code = I can't find a QR code in this photo. Try closer, flat, or type /checkin followed by the code.
checkin-photo-lost = I could not read this photo: the service restarted while I was handling it. Please send it again.
checkin-no-key = Tickets cannot be checked: the signing key is not set.
admin-help-checkin = check a ticket in (or send a photo of its QR code)
admin-help-appearance = the colour of the site's widget (also: position left|right, avatar URL|none)
admin-help-appearance-text = the widget's title (also: accueil "…" for its first message); /apparence alone shows everything
appearance-current = 🎨 Widget appearance:
appearance-saved = ✅ Appearance saved; the widget shows it the next time the page loads:
appearance-summary = • colour: { $color }
    • title: { $title }
    • welcome: { $welcome }
    • avatar: { $avatar }
    • position: { $position }
appearance-right = bottom right
appearance-left = bottom left
appearance-no-avatar = none
appearance-error-colour = "{ $got }" is not a colour: write it in hexadecimal, #rrggbb.
appearance-error-length = The text must have 1 to { $max } characters.
appearance-error-avatar = "{ $got }" is not an image address (https://… or /…).
appearance-error-position = "{ $got }" is not a position: right or left.
appearance-error-field = "{ $got }" is not part of the appearance: couleur, titre, accueil, avatar or position.

## The studio: courses, offers, bookings

admin-help-courses = the courses and their weekly slots
admin-help-offers = the offers and their prices
admin-help-bookings = the bookings (today, tomorrow, week or DD/MM)
courses-title = Courses:
course-line = { $id } · { $name } · { $slots } · { $minutes } min · { $capacity } seats
offers-title = Offers:
offer-line-single = { $id } · { $name } · { $price } per class
offer-line-pack = { $id } · { $name } · { $price } · { $credits } classes valid { $days } days
offer-line-subscription = { $id } · { $name } · { $price } · { $days } days{ $cap ->
    [0] {""}
   *[other] , { $cap } classes a week
}
bookings-session = { $course } · { $when } · { $taken }/{ $capacity }
bookings-line = • { $reference } · { $name } — { $offer }, { $payment }
bookings-checked-in = ✅ checked in
bookings-none = No bookings for this period.
payment-online = paid online
payment-on-site = pays on site
payment-credit = credit
payment-free = free
payment-pending = payment pending
admin-help-answer = answer a visitor (phone, email or id), on their channel
answer-sent = ✅ Message sent to { $name }.
answer-no-channel = { $name } has written on no channel: no way to send them a message.
answer-unknown = Nobody matches “{ $to }” (phone, email or id).
admin-help-course-add = create a course (name, days and times, length, seats): its sessions are planned
course-added = ✅ Course “{ $name }” created ({ $id }): { $slots }, { $minutes } min, { $capacity } seats. { $sessions ->
    [0] No new session planned.
    [one] { $sessions } session planned.
   *[other] { $sessions } sessions planned.
}
course-exists = The course { $id } already exists: see /cours, or pick another name.
course-add-missing = { $field ->
    [name] The course name is missing (in quotes when it has several words).
    [slot] A time slot is missing: a day and a time, like mar 18:30.
    [duration] The length is missing, like 60min.
   *[capacity] The number of seats is missing, like 12places.
}
course-add-word = I don't understand “{ $got }”: after the name come the slots (mar 18:30), the length (60min), the seats (12places) and, if needed, lieu:"…".
admin-help-course-cancel = cancel one date (booked visitors are told, credits given back)
admin-help-course-capacity = change the number of seats (sessions to come included)
course-capacity-set = ✅ { $course }: { $capacity } seats ({ $sessions ->
    [one] { $sessions } session to come updated
   *[other] { $sessions } sessions to come updated
}).
course-date-cancelled = ✅ { $course } on { $date } cancelled: { $bookings ->
    [0] no bookings
    [one] { $bookings } booking cancelled
   *[other] { $bookings } bookings cancelled
}, credits given back, { $told ->
    [0] nobody to tell
    [one] { $told } person told
   *[other] { $told } people told
}.
course-no-session = No { $course } session on { $date }.
session-cancelled-visitor = Sorry, the { $course } class on { $when } is cancelled. Your booking is cancelled and your credit given back. Would you like another date?
admin-help-booking = a booking's details, or cancel it (everything given back, the visitor told)
booking-unknown = No current booking with reference { $reference }.
booking-details = Booking { $reference }: { $name } — { $course } on { $when }, { $offer }, { $price }
booking-cancelled-by-coach = ✅ Booking { $reference } cancelled ({ $name }, { $course } on { $when }): credit and promo code given back, the visitor is told.
booking-cancelled-by-coach-untold = ✅ Booking { $reference } cancelled ({ $name }, { $course } on { $when }): credit and promo code given back. No channel to tell them.
booking-cancelled-by-coach-visitor = Hello, your booking for { $course } on { $when } was cancelled by the studio. Your credit is given back. Would you like another date?

## Waitlist
waitlist-seat-offered = Good news: a seat opened up for { $course } on { $when }. It is kept for you until { $until }. Will you take it?
waitlist-choice-claim = I'll take it
waitlist-choice-leave = No thanks
waitlist-offer-lapsed = The seat for { $course } on { $when } was not taken in time and has gone to the next person. You can still pick another date.

## Booking refusals (visitor)
booking-refused-not-open = Booking for this class opens on { $date }.
booking-refused-closed = Too late to book this class: booking closes { $minutes } min before the start.
booking-refused-session-cancelled = This class is cancelled.
booking-refused-full = This class is full. Would you like to join the waitlist? You will be told as soon as a seat frees up.
booking-refused-already-booked = You already have a seat in this class.
booking-refused-offer-not-for-course = This offer does not cover this course.
booking-refused-offer-inactive = This offer is no longer sold.
booking-refused-no-credit = You have no valid credit for this offer.
booking-refused-weekly-cap = Your subscription allows { $cap } classes a week: this week is already full.
booking-refused-not-same-course = A booking can only move to another class of the same course.
booking-refused-not-active = This booking is no longer active.
booking-refused-error = A technical problem keeps me from booking right now. Please try again in a moment.
booking-booked = ✅ Booked { $reference }: { $name } — { $course } on { $when }, { $offer }, { $price }.
booking-booked-pending = ⏳ Seat held { $reference }: { $name } — { $course } on { $when }, { $offer }, { $price } to pay before { $until }.
waitlist-joined = Full: { $name } is on the waitlist of { $course } on { $when }, at position { $position }.

## Visitor dialogue
lead-welcome = Hello! I'm the assistant of { $studio }. I can tell you about our classes and book your seat.
lead-ask-name = To start, what is your first name?
lead-ask-email = Thanks { $name }! What is your email address? (to send you your tickets)
lead-ask-phone = And your WhatsApp number? (to tell you about any change)
lead-ask-consent = Last question: may we send you our news and offers (about once a month)?
lead-consent-yes = Yes, please
lead-consent-no = No thanks
lead-bad-name = I didn't get your first name. Could you write it in letters, for example: Mary?
lead-bad-email = “{ $got }” doesn't look like an email address. Could you type it again, for example: mary@example.com?
lead-bad-phone = “{ $got }” doesn't look like a phone number. Could you type it again, for example: +33 6 12 34 56 78?
lead-bad-consent = Just answer yes or no: may we send you our news and offers?
lead-done = Got it, thanks { $name }!
lead-recognised = Good to see you again { $name }! I recognised you.
menu-book = Book a class
menu-schedule = Schedule
menu-prices = Prices
menu-bookings = My bookings
menu-coach = Talk to the coach
visitor-menu = What can I do for you?
visitor-welcome-back = Hello { $name }! What can I do for you?
visitor-help = I can book a class, give you the schedule and prices, show, cancel or move your bookings, or tell the coach. Write STOP to receive no more messages.
visitor-thanks = You're welcome! Anything else?
visitor-not-understood = I didn't quite get that. Here is what I can do:
visitor-empty = I received nothing. What can I do for you?
visitor-photo = Thanks for the picture! I can't read images: tell me in a few words what you would like.
visitor-stale-choice = That choice is no longer available (seats may have changed). Let's start again:
visitor-moved = ✅ Moved. Your ticket stays valid for the new date.
visitor-resubscribed = Got it, you will receive our messages again. What can I do for you?
booking-choose-course = Which course would you like?
booking-choose-date = { $course }: which date suits you?
booking-date = { $when } · { $left ->
    [one] { $left } seat
   *[other] { $left } seats
}
booking-date-full = { $when } · full
booking-no-session = No class is open for booking right now.
booking-choose-offer = With which offer?
booking-offer = { $name } — { $price }
booking-offer-credits = { $name } ({ $left ->
    [one] { $left } credit left
   *[other] { $left } credits left
})
booking-offer-subscription = { $name } (current subscription)
booking-ask-promo = Do you have a promo code?
booking-promo-yes = Yes
booking-promo-no = No
booking-type-promo = Type your promo code:
booking-type-promo-again = Type another code, or go on without one.
booking-promo-skip = Go on without a code
booking-promo-later = Sure! Let's pick the class first; I'll ask for your code just before confirming.
booking-summary = Summary: { $course }, { $when }, { $offer }: { $price }, to pay at the studio. Shall I confirm?
booking-summary-promo = Summary: { $course }, { $when }, { $offer } with code { $code }: { $price }, to pay at the studio. Shall I confirm?
booking-summary-credit = Summary: { $course }, { $when }, paid with { $offer }. Shall I confirm?
booking-confirm = Confirm
booking-abandon = No thanks
booking-abandoned = No problem, nothing is booked. Anything else?
booking-done = ✅ Booked: { $course }, { $when } ({ $price }). Reference { $reference }. Here is your ticket: show it at the door.
booking-done-credit = ✅ Booked: { $course }, { $when }, paid with a credit. Reference { $reference }. Here is your ticket: show it at the door.
booking-done-pending = ⏳ Your seat for { $course }, { $when } is held until { $until } while you pay. Reference { $reference }.
waitlist-join = Join the waitlist
waitlist-visitor-joined = Done: you are number { $position } on the waitlist. I'll tell you as soon as a seat frees up.
waitlist-left = Got it, the seat goes to the next person. Anything else?
waitlist-gone = Sorry, that seat is no longer offered (already taken, or the time ran out). Would you like another date?
schedule-title = This week:
schedule-line = { $when } · { $course } · { $left ->
    [0] full
    [one] { $left } seat
   *[other] { $left } seats
}
prices-title = Our offers:
prices-single = • { $name }: { $price }
prices-pack = • { $name }: { $price } ({ $credits } classes, valid { $days } days)
prices-subscription = • { $name }: { $price } ({ $days } days{ $cap ->
    [0] , unlimited classes
   *[other] , { $cap } classes a week
})
mine-title = Your bookings:
mine-line = { $reference } · { $course } · { $when }
mine-none = You have no upcoming booking.
mine-cancel = Cancel
mine-move = Move
mine-which-cancel = Which booking would you like to cancel?
mine-which-move = Which booking would you like to move?
cancel-explain-free = { $course }, { $when }: you can cancel free of charge until { $until }; your credit or promo code comes back. Shall I cancel?
cancel-explain-late = { $course }, { $when }: the class starts in less than { $hours } h. If you cancel, your seat is freed but the credit is not given back. Cancel anyway?
cancel-confirm = Yes, cancel
cancel-keep = No, keep it
cancel-kept = Fine, your booking stays.
cancelled-free = ✅ Cancelled. A credit or promo code you used is given back.
cancelled-late = ✅ Cancelled. As announced, the credit is not given back for a late cancellation.
move-choose-date = { $course }: to which date?
move-no-date = No other date of this course has a free seat right now.
credits-line = • { $offer }: { $left ->
    [one] { $left } credit
   *[other] { $left } credits
} until { $until }
credits-unlimited = • { $offer }: unlimited until { $until }
credits-none = You have no current credits.
stop-ask = Do you want to receive no more messages from us?
stop-confirm = Yes, stop
stop-keep = No, go on
stop-done = Done: you will receive no more messages. Write START to come back.
stop-kept = Fine, nothing changes.
visitor-unknown-command = Unknown command. Just write what you would like, for example “book a class”.
visitor-handoff = I told the coach: they will answer you here as soon as possible.
waitlist-seats-left = Good news: a seat is free in this class, you can book it directly.
handoff-coach = 📩 { $name } ({ $reach }) would like to talk to you.
    { $last }
    Answer with: /repondre { $handle } your message
telegram-share-contact = 📱 Share my number

# ---- the web widget ----
widget-open = Chat with { $studio }
widget-close = Close the conversation
widget-unread = new messages
widget-form-intro = Before we start, tell us who you are: your tickets will come by email and WhatsApp.
widget-name = First name
widget-email = Email
widget-phone = WhatsApp number
widget-consent = I agree to receive the studio's news and offers (about once a month).
widget-submit = Start chatting
widget-required = This field is required.
widget-bad-email = This email address does not look right, for example: mary@example.com
widget-bad-phone = This number does not look right, for example: +44 7700 900123
widget-not-me = Not me
widget-placeholder = Type your message…
widget-send = Send
widget-save = Save the ticket
widget-typing = The assistant is typing…
widget-offline = Connection lost, trying again…
widget-conversation = Conversation
widget-too-long = Your message is too long: { $max } characters at most.

# ---- the AI agent ----
agent-fallback = Sorry, I can't answer that in detail right now. Here is what I can do:
agent-ticket = Your ticket (booking { $reference }): show it at the door.
agent-confirm = I'm about to run: { $command }{ $preview }
    Confirm? yes / no
promo-preview = { $count } codes: { $summary }
agent-cancelled = All right, nothing was run.
