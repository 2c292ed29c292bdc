# Error messages of techex in English: problem titles and details, and what is wrong
# with each field. Keys are stable; edit the texts freely. Each key must also be in
# ../zh-CN/errors.ftl (a test compares the two files and the keys the code uses).

## Problem titles and default details, by problem code.

problem-not_found-title = Not found
problem-not_found-detail = nothing is at this address
problem-validation_failed-title = Invalid input
problem-validation_failed-detail = the request is not valid
problem-invalid_transition-title = Not allowed in the current state
problem-invalid_transition-detail = this action is not allowed in the current state
problem-conflict-title = Conflict
problem-conflict-detail = the request conflicts with the current state
problem-gone-title = No longer valid
problem-gone-detail = this has expired
problem-precondition_failed-title = Version is out of date
problem-precondition_failed-detail = the version you changed is out of date; load it again
problem-unauthenticated-title = Authentication required
problem-unauthenticated-detail = sign in first
problem-forbidden-title = Forbidden
problem-forbidden-detail = you may not do this
problem-rate_limited-title = Too many attempts
problem-rate_limited-detail = too many attempts; try again later
problem-payload_too_large-title = Request body too large
problem-payload_too_large-detail = the request body is too large
problem-malformed_request-title = Malformed request
problem-malformed_request-detail = the request is malformed
problem-unsupported_media_type-title = Unsupported media type
problem-unsupported_media_type-detail = the body's media type is not accepted here
problem-invalid_query-title = The search query does not parse
problem-invalid_query-detail = the search query does not parse
problem-invalid_signature-title = The signature does not verify
problem-invalid_signature-detail = the signature does not verify
problem-unavailable-title = Service unavailable
problem-unavailable-detail = the service is not available; retry shortly
problem-request_timeout-title = Request timeout
problem-request_timeout-detail = the request took too long and was stopped; nothing of it was kept
problem-uri_too_long-title = URI too long
problem-uri_too_long-detail = the request URI is too long
problem-method_not_allowed-title = Method not allowed
problem-method_not_allowed-detail = this method is not allowed on this resource
problem-header_too_large-title = Request headers too large
problem-header_too_large-detail = the request headers are too large
problem-internal-title = Internal error
problem-internal-detail = an internal error occurred; it has been logged

## Details composed at the edge.

detail-one-field = { $field }: { $message }
detail-many-fields = { $count ->
    [one] { $count } field is invalid
   *[other] { $count } fields are invalid
}
detail-stale = version { $given } is out of date: the current version is { $current }
detail-rate-limited = { $seconds ->
    [one] too many attempts; try again in { $seconds } second
   *[other] too many attempts; try again in { $seconds } seconds
}
detail-invalid-transition = { $text }

## A text without a key yet.

verbatim = { $text }

## Texts, e-mail addresses and passwords.

text-empty = must not be empty
text-too-long = must be at most { $max } characters (got { $count })
text-control-characters = must not contain control characters
email-invalid = `{ $input }` is not an e-mail address
password-too-short = must be at least { $min } characters
password-too-long = must be at most { $max } characters
password-too-simple = must mix at least two kinds of character (letters, digits, symbols)
password-common = is a commonly used password
password-contains-email = must not contain your e-mail name
password-wrong = is not your current password

## Numbers, ranges, lists, dates and choices.

number-out-of-range = must be between { $min } and { $max }
years-out-of-range = must be between { $min } and { $max } { $max ->
    [one] year
   *[other] years
}
days-out-of-range = must be between { $min } and { $max } { $max ->
    [one] day
   *[other] days
}
seconds-out-of-range = must be between { $min } and { $max } { $max ->
    [one] second
   *[other] seconds
}
bps-out-of-range = must be between { $min } and { $max } basis points ({ $min_percent }–{ $max_percent }%)
too-many-entries = { $max ->
    [one] at most { $max } entry
   *[other] at most { $max } entries
}
date-in-past = must not be in the past
date-not-in-future = must be in the future
date-too-far = { $max ->
    [one] must be within { $max } day
   *[other] must be within { $max } days
}
date-range-reversed = must not be before the start date
date-invalid = give a day as YYYY-MM-DD
value-not-one-of = `{ $input }` is not one of: { $allowed }
limit-out-of-range = must be between { $min } and { $max }
cursor-invalid = is not a cursor returned by this API
nothing-to-change = nothing would change
saved-searches-full = you already keep { $max } saved searches; delete one first
price-range-inverted = must not be below price_min
owner-invalid = must be an organization id or `mine`
code-invalid = must be 1-64 lowercase letters, digits or underscores
nda-hash-mismatch = does not match the current NDA text; fetch the NDA again and read it before accepting

## Money.

currency-unsupported = unsupported currency `{ $input }` (use one of { $allowed })
amount-negative = must not be negative
amount-not-positive = must be more than zero
amount-too-large = is larger than any amount the platform accepts (100 billion)
amount-empty = the amount is empty
amount-invalid = `{ $input }` is not an amount (digits, an optional decimal point, 万 or 亿)
amount-too-precise = `{ $input }` has more decimals than the currency allows

## Patent numbers, credit codes, IPC symbols.

patent-number-invalid = `{ $input }` is not a patent application number (12 digits, a dot and a check digit, e.g. { $example })
patent-check-character-missing = `{ $input }` must end with exactly one check character after the dot
patent-type-digit-unknown = `{ $input }` has an unknown type digit `{ $digit }` (1 invention, 2 utility model, 3 design, 8 or 9 PCT)
patent-wrong-check-digit = `{ $input }` has a wrong check digit (expected `{ $expected }`)
credit-code-length = `{ $input }` is not a unified social credit code (18 characters)
credit-code-character = `{ $input }` has `{ $character }` at position { $position } (allowed: digits and letters except I, O, S, V, Z)
credit-code-wrong-check = `{ $input }` has a wrong check character (expected `{ $expected }`)
ipc-invalid = `{ $input }` is not an IPC symbol (e.g. `C02F 1/44` or `G06N`)

## Organizations, reference data, files.

website-scheme = must start with http:// or https://
center-not-registrable = the trading center cannot be registered; it exists from installation
region-unknown = `{ $input }` is not a known region (use a division code such as 370200, or a name)
industry-field-unknown = `{ $input }` is not an industry field (one of: { $allowed })
file-empty = the file is empty
file-too-large = the file is larger than the limit of { $max } bytes
file-missing = attach the file as the multipart field `file`
file-type-unrecognised = the content of `{ $filename }` is not a recognised document type
file-type-not-accepted = `{ $filename }` is { $detected }, which is not accepted (PDF, images, Office documents or plain text)
file-type-mismatch = `{ $filename }` was sent as { $claimed } but its content is { $detected }
licence-type-not-accepted = `{ $filename }` is not a PDF, JPEG or PNG file; a business licence must be one of these
document-store-unavailable = the document store cannot be reached, so the file was not stored; retry shortly
cell-not-yes-no = `{ $input }` is not yes/no
cell-trl-invalid = `{ $input }` is not a level from 1 to 9

## Achievements and demands.

title-required = a title is required (in Chinese, English or both)
abstract-required = an abstract is required before review (in Chinese, English or both)
description-required = a description is required before review (in Chinese, English or both)
maturity-required = the maturity is required before review
transaction-mode-required = at least one transaction mode is required before review
asking-price-required = give an asking price or mark the price negotiable
patent-number-required = a patent needs its application number before review
patent-number-not-for-kind = this kind of achievement carries no patent number
patent-type-mismatch = the number's type digit does not match the kind of patent
trl-out-of-range = must be a technology readiness level from 1 to 9
trl-not-fit-maturity = TRL { $trl } does not fit the maturity { $maturity } (expected { $min }–{ $max })
floor-above-asking = the floor price must not exceed the asking price
budget-inverted = the upper end of the budget must not be below the lower end
deadline-passed = the deadline has passed; set a new one

## Deals, offers, auctions, brokers.

royalty-minimum-needs-rate = a royalty minimum needs a royalty rate
equity-share-required = an equity contribution states the share of the company
terms-need-price = the terms need a price: a lump sum, a royalty or an equity share
milestones-sum-mismatch = the milestones add up to { $total }, not the lump sum of { $lump }
milestones-need-lump-sum = a payment schedule needs a lump sum to divide
milestones-out-of-order = list the milestones in the order they fall due
auction-reserve-below-start = must not be below the starting price
auction-closes-before-opening = must be after the opening
auction-too-long = a bidding runs at most { $max } days
auction-mode = public bidding sells an assignment or a licence
auction-inventors-first-refusal = an assignment of a service invention with recorded inventors is negotiated in a deal, so the inventors' first refusal (Civil Code art. 847) can run
broker-level-admin-only = only platform administrators change a broker's level
attachment-unknown = no attachment of this deal and channel has this id
auction-needs-published = only a published achievement can be put up for bidding
bid-too-low = the bid must be at least { $minimum }
user-unknown = no active user has this id
achievement-unknown = no published achievement has this id
demand-unknown = no published demand has this id
deal-unknown = no deal of yours has this id
offer-unknown = no pending offer of this deal has this id
message-unknown = no message of this channel has this id
inventor-unknown = not an inventor recorded on this achievement
broker-unknown = no certified broker has this id
broker-suspended = this broker is suspended and cannot take new deals
broker-certificate-expired = this broker's certificate has expired; they cannot take new deals until it is renewed
broker-certificate-admin-only = only platform administrators change a certificate's expiry
broker-not-independent = the broker must be independent of both parties
broker-is-self = you mediate this deal yourself
deal-offer-own-achievement = offer one of your organization's achievements (brokers may offer any)
deal-broker-names-achievement = a broker answering a demand names the achievement offered
deal-subject-required = name the achievement or the demand of the deal
offer-own-side-only = a party makes offers for its own side only
offer-broker-side-required = a broker proposes terms on behalf of `seller` or `buyer`
counter-offer-side = a counter-offer is made for the side that answers
refusal-not-applicable = first refusal applies to the assignment of an achievement with recorded inventors
open-licence-not-granted = an open licence needs a granted patent; an application cannot be declared until it is granted
open-licence-not-patent = only a patent (invention, utility model or design) can be declared for open licensing
open-licence-needs-published = only a published achievement can be declared for open licensing
open-licence-evaluation-required = a utility model or design needs its patent evaluation report (专利权评价报告): upload it as a public document of the achievement and name it here
open-licence-evaluation-unknown = this document is not one of the achievement's public documents
open-licence-ordinary-only = an open licence is always an ordinary licence; exclusive and sole licences are negotiated in a deal
open-licence-above-cap = is above the limit of { $max } the center allows for open licences
open-licence-needs-price = give a licence fee, a royalty rate, or both
open-licence-period-needs-rate = a reporting period goes with a royalty rate
open-licence-credit-needs-fee = only an entry fee can be credited against royalties
open-licence-terms-fixed = under an open licence the declared terms stand as published; the licensee names only its own representative
open-licence-commission-without-broker = a commission is proposed to a broker: choose the broker, or leave the commission empty
royalty-base-needs-rate = a royalty base goes with a royalty rate
royalty-profit-required = the royalty is a share of profit: report the period's profit on the licensed products (negative for a loss)
royalty-profit-not-base = the royalty is a share of net sales: leave the profit out
open-licence-blocks-exclusive = this patent is open for licensing: while the declaration stands, no exclusive or sole licence may be granted (Patent Law art. 51)
royalty-period-invalid = write the period as `{ $example }` ({ $kind })
royalty-period-outside-term = the contract's royalty runs from { $start } to { $end }; this period lies outside it
royalty-period-not-ended = the period ends on { $end }: report its sales once it has ended
royalty-earlier-period-first = report { $period } first, and have it accepted: periods are reported in order

## Payments.

card-unknown = no such saved card
card-not-yours = this card was not saved for your organization
card-not-confirmed = the card has not been confirmed
stripe-account-invalid = a Stripe connected account id is acct_ followed by up to 64 letters or digits

## The request itself.

body-not-object = the body must be a JSON object
field-missing = this field is required
field-unknown = `{ $name }` is not a field of this request
value-wrong-type = has the wrong type: { $reason }
value-unknown-variant = `{ $value }` is not one of: { $allowed }
value-invalid = { $reason }
query-parameter-invalid = query parameter `{ $name }`: { $reason }

## The registration pre-check's findings.

precheck-representative-missing = name the representative who signs for each party
precheck-credit-code-missing = every party needs its unified social credit code
precheck-patent-number-missing = a patent contract names the patent (application) number
precheck-subject-unnamed = the subject matter has no name
precheck-patent-not-granted = a patent right is transferred but the patent is not granted yet
precheck-pending-licence = a licence of a pending application: the center registers it as a technical-secret licence until grant
precheck-price-missing = the price is not stated
precheck-schedule-mismatch = the payment schedule does not add up to the price
precheck-one-sided-grant-back = the licensee's improvements go to the licensor: a one-sided grant-back is a restrictive clause
precheck-forbids-improving = the other terms say “{ $phrase }”: that forbids the buyer to improve the technology
precheck-free-grant-back = the other terms say “{ $phrase }”: that makes the buyer hand over improvements for nothing
precheck-forbids-other-sources = the other terms say “{ $phrase }”: that forbids the buyer other sources of technology
precheck-forbids-challenge = the other terms say “{ $phrase }”: that forbids challenging the patent's validity
precheck-signatures-missing = not every party has signed the current version

## Search queries.

query-exclude-alone = `-` must be followed by a word or a phrase to exclude
query-require-alone = `+` must be followed by a word or a phrase to require
query-phrase-unclosed = the quotation mark that opens this phrase is never closed
query-phrase-empty = the phrase is empty
query-too-long = the query is longer than { $max } characters
query-or-misplaced = `OR` must stand between two words or phrases
query-or-exclusion = an exclusion cannot be one side of `OR`
query-only-exclusions = a query of exclusions only matches nothing; add a word to search for
not-ready-database = database: it does not answer
not-ready-search-index = search_index: { $behind } outbox rows behind (at position { $position } of { $head }; at most { $max } allowed)
not-ready-search-index-unreadable = search_index: its position cannot be read

## Refusals of the domain rules (409, 403, 410): why.
refused-a-broker-whose-certificate-has-expired-cannot = a broker whose certificate has expired cannot take on new deals
refused-a-caucus-needs-a-broker-who-accepted = a caucus needs a broker who accepted to mediate the deal
refused-a-first-refusal-notice-is-already-open = a first-refusal notice is already open on this deal
refused-a-licence-taken-by-notice-is-on = a licence taken by notice is on the declaration's published terms: they are not negotiated
refused-a-milestone-is-paid-or-being-paid = a milestone is paid or being paid: accept or reject it before terminating the contract
refused-a-registration-number-was-taken-at-the = a registration number was taken at the same moment; retry
refused-a-suspended-broker-cannot-take-on-new = a suspended broker cannot take on new deals
refused-a-termination-is-already-proposed-answer-or = a termination is already proposed; answer or withdraw it
refused-a-user-with-this-e-mail-address = a user with this e-mail address exists
refused-accept-the-invitation-to-mediate-before-taking = accept the invitation to mediate before taking part in the deal
refused-accept-the-invitation-to-see-the-deal = accept the invitation to see the deal
refused-accept-the-invitation-to-see-the-deal-2 = accept the invitation to see the deal's history
refused-accept-the-invitation-to-see-the-offers = accept the invitation to see the offers
refused-agreed-terms-are-cancelled-by-a-party = agreed terms are cancelled by a party or the center
refused-an-achievement-with-this-patent-number-is = an achievement with this patent number is already listed
refused-an-exclusive-or-sole-licence-of-this = an exclusive or sole licence of this patent is in force: it cannot be opened for licensing
refused-an-industry-field-with-this-code-exists = an industry field with this code exists
refused-an-invited-broker-declines-the-invitation-instead = an invited broker declines the invitation instead
refused-an-organization-with-this-credit-code-is = an organization with this credit code is already registered
refused-another-bid-was-placed-at-the-same = another bid was placed at the same moment; retry
refused-another-offer-of-this-deal-was-accepted = another offer of this deal was accepted first
refused-another-offer-was-made-at-the-same = another offer was made at the same moment; reload and retry
refused-another-payment-of-this-milestone-started-at = another payment of this milestone started at the same moment
refused-feedback-comes-from-prospective-buyers-not-the = feedback comes from prospective buyers, not the owner
refused-members-of-an-organization-take-licences-for = members of an organization take licences for it
refused-no-successful-payment-of-this-milestone = no successful payment of this milestone
refused-no-termination-is-proposed = no termination is proposed
refused-only-members-of-a-buying-organization-bid = only members of a buying organization bid
refused-only-members-of-an-organization-send-inquiries = only members of an organization send inquiries
refused-only-members-of-the-organization-may-list = only members of the organization may list achievements
refused-only-members-of-the-organization-may-post = only members of the organization may post demands
refused-only-platform-administrators-certify-brokers = only platform administrators certify brokers
refused-only-platform-administrators-list-suspended-brokers = only platform administrators list suspended brokers
refused-only-platform-administrators-look-up-users = only platform administrators look up users
refused-only-platform-administrators-read-the-whole-audit = only platform administrators read the whole audit log
refused-only-platform-administrators-remove-center-roles = only platform administrators remove center roles
refused-only-platform-administrators-suspend-or-reinstate-brokers = only platform administrators suspend or reinstate brokers
refused-only-platform-administrators-verify-organizations = only platform administrators verify organizations
refused-only-the-broker-or-a-platform-administrator = only the broker or a platform administrator may edit this profile
refused-only-the-center-s-registrars-register-technology = only the center's registrars register technology contracts
refused-only-the-center-s-registrars-return-contracts = only the center's registrars return contracts
refused-only-the-center-s-reviewers-review-open = only the center's reviewers review open-licence declarations
refused-only-the-invited-broker-answers-the-invitation = only the invited broker answers the invitation
refused-only-the-licensee-invites-a-broker = a licence taken under an open licence has a broker only if the licensee invites one
refused-only-the-organization-s-administrators-may-change = only the organization's administrators may change members
refused-only-the-organization-s-administrators-may-edit = only the organization's administrators may edit it
refused-only-the-organization-s-administrators-may-invite = only the organization's administrators may invite members
refused-only-the-organization-s-administrators-upload-its = only the organization's administrators upload its licence
refused-only-the-owner-or-the-center-for = only the owner (or the center for it) puts an achievement up for bidding
refused-only-the-owner-sees-the-feedback-and = only the owner sees the feedback and analytics of a listing
refused-only-the-owner-s-administrators-manage-its = only the owner's administrators manage its payout account
refused-only-the-owning-organization-may-attach-documents = only the owning organization may attach documents
refused-only-the-owning-organization-may-close-this = only the owning organization may close this demand
refused-only-the-owning-organization-may-delete-a = only the owning organization may delete a demand
refused-only-the-owning-organization-may-delete-an = only the owning organization may delete an achievement
refused-only-the-owning-organization-may-edit-a = only the owning organization may edit a demand
refused-only-the-owning-organization-may-edit-an = only the owning organization may edit an achievement
refused-only-the-owning-organization-may-remove-documents = only the owning organization may remove documents
refused-only-the-owning-organization-may-submit-this = only the owning organization may submit this demand
refused-only-the-owning-organization-may-withdraw-this = only the owning organization may withdraw this achievement
refused-only-the-parties-and-their-broker-amend = only the parties and their broker amend a contract
refused-only-the-parties-and-their-broker-make = only the parties and their broker make offers
refused-only-the-parties-and-their-broker-sign = only the parties and their broker sign
refused-only-the-parties-or-the-center-choose = only the parties or the center choose the broker
refused-only-the-patentee-declares-an-open-licence = only the patentee declares an open licence of its patent
refused-only-the-patentee-withdraws-its-declaration = only the patentee withdraws its declaration
refused-only-the-seller-or-the-center-cancels = only the seller or the center cancels an auction
refused-only-the-side-it-was-proposed-for = only the side it was proposed for confirms a broker's proposal
refused-only-the-side-that-made-an-offer = only the side that made an offer withdraws it
refused-the-achievement-changed-since-the-center-approved = the achievement changed since the center approved it (or was never approved); submit it for review
refused-the-buyer-accepts-the-milestones = the buyer accepts the milestones
refused-the-buyer-pays-the-milestones = the buyer pays the milestones
refused-the-buyer-rejects-a-delivered-milestone = the buyer rejects a delivered milestone
refused-the-licensee-reports-its-sales = the licensee reports its sales
refused-the-licensor-accepts-or-disputes-a-royalty = the licensor accepts or disputes a royalty report
refused-the-other-party-agrees-to-the-termination = the other party agrees to the termination
refused-the-owning-organization-does-not-sign-its = the owning organization does not sign its own NDA
refused-the-parties-or-their-broker-draft-the = the parties or their broker draft the contract
refused-the-patentee-does-not-take-a-licence = the patentee does not take a licence of its own patent
refused-the-payment-is-still-being-set-up = the payment is still being set up; try again shortly
refused-the-payouts-of-this-milestone-already-exist = the payouts of this milestone already exist
refused-the-seller-and-the-buyer-terminate-their = the seller and the buyer terminate their contract
refused-the-seller-does-not-bid-on-its = the seller does not bid on its own auction
refused-the-seller-notifies-its-inventors-or-the = the seller notifies its inventors (or the broker for it)
refused-the-seller-s-organization-records-the-inventors = the seller's organization records the inventors' answers
refused-the-statistics-are-for-the-trading-center = the statistics are for the trading center's staff
refused-there-is-already-a-live-deal-between = there is already a live deal between your organization and this listing
refused-this-achievement-is-already-up-for-bidding = this achievement is already up for bidding
refused-this-certificate-number-is-already-registered = this certificate number is already registered
refused-this-deal-already-has-a-broker = this deal already has a broker
refused-this-deal-already-has-a-contract = this deal already has a contract
refused-this-demand-is-your-own-organization-s = this demand is your own organization's
refused-this-document-is-confidential-accept-the-achievement = this document is confidential: accept the achievement's NDA to download it
refused-this-invitation-has-already-been-accepted = this invitation has already been accepted
refused-this-invitation-has-expired-ask-for-a = this invitation has expired; ask for a new one
refused-this-licence-already-has-its-contract = this licence already has its contract
refused-this-link-has-already-been-used-your = this link has already been used: your address is confirmed
refused-this-link-has-already-been-used-ask = this link has already been used; ask for a new one
refused-this-link-has-expired-ask-for-a = this link has expired; ask for a new one
refused-this-patent-already-has-an-open-licence = this patent already has an open-licence declaration pending or published
refused-this-period-is-already-reported = this period is already reported
refused-this-user-is-already-a-certified-broker = this user is already a certified broker
refused-under-an-open-licence-the-published-declaration = under an open licence the published declaration is the licensor's consent: only the licensee signs
refused-you-cannot-disable-your-own-account = you cannot disable your own account
refused-you-cannot-remove-your-own-administrator-role = you cannot remove your own administrator role
refused-your-e-mail-address-is-confirmed-already = your e-mail address is confirmed already
refused-your-organization-already-took-a-licence-under = your organization already took a licence under this declaration
refused-your-organization-does-not-offer-technology = your organization does not offer technology
refused-your-organization-is-not-verified-yet-a = your organization is not verified yet; a platform administrator must verify it before it can trade
refused-your-organization-must-be-verified-before-it = your organization must be verified before it bids
refused-your-organization-must-be-verified-before-it-2 = your organization must be verified before it can receive confidential information
refused-your-organization-must-be-verified-before-it-3 = your organization must be verified before it takes a licence
refused-your-organization-owns-this-achievement = your organization owns this achievement
refused-not-verified-to-publish = your organization is not verified yet; a platform administrator must verify it before it can publish
refused-not-the-owner-of-the-achievement = only the owning organization may { $action } this achievement
refused-only-reviewers = only center reviewers may { $action } { $what }
refused-reviewer-own-organization = a reviewer may not { $action } their own organization's { $what }
refused-patent-number-listed = an achievement with patent number { $number } is already listed
refused-patent-number-listed-elsewhere = patent number { $number } is already listed by another organization
refused-rejection-window-passed = the contract lets the buyer reject a milestone within { $days } days of paying it
refused-already-signed = the { $party } has already signed this version
refused-period-reported = { $period } is already reported
refused-inventor-answered = { $name } has already answered
refused-buyer-not-in-default = the buyer is not in default: no milestone is unpaid more than { $days } days after its due date
refused-seller-not-in-default = the seller is not in default: no delivery failed acceptance and was refunded
refused-offer-maker-cannot-answer = the other side { $action }s an offer, not its maker
refused-offer-broker-cannot-answer = only the other side { $action }s an offer; a broker cannot bind a party
refused-inventors-may-claim-until = the inventors may claim this assignment on equal terms until { $closes } (Civil Code art. 847)
refused-payment-provider = the payment provider refused: { $message }
refused-precheck-blockers = the pre-check refuses registration: { $findings }
refused-center-exists = the center `{ $name }` ({ $id }) already exists
refused-kind-does-not-list = { $kind ->
        [university] a university
        [research_institute] a research institute
        [enterprise] an enterprise
        [broker_agency] a broker agency
       *[center] a trading center
    } does not list achievements
refused-kind-does-not-post = { $kind ->
        [university] a university
        [research_institute] a research institute
        [enterprise] an enterprise
        [broker_agency] a broker agency
       *[center] a trading center
    } does not post technology demands
