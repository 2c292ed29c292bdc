//! The registry of message keys: every key a crate may use, so that a test can prove
//! that each has a translation in every language (`crates/server/locales/*/errors.ftl`).
//!
//! Add a key here, then its text to each `errors.ftl`; the test names what is missing.

use super::MessageKey;

macro_rules! message_keys {
    ($($name:ident = $key:literal,)*) => {
        $(
            #[doc = concat!("The message `", $key, "`.")]
            pub const $name: MessageKey = MessageKey($key);
        )*
        /// Every registered key.
        pub const ALL: &[MessageKey] = &[$($name),*];
    };
}

message_keys! {
    // A text without a key yet, shown as it is ($text).
    VERBATIM = "verbatim",

    // Texts, e-mail addresses and passwords.
    TEXT_EMPTY = "text-empty",
    TEXT_TOO_LONG = "text-too-long",
    TEXT_CONTROL_CHARACTERS = "text-control-characters",
    EMAIL_INVALID = "email-invalid",
    PASSWORD_TOO_SHORT = "password-too-short",
    PASSWORD_TOO_LONG = "password-too-long",
    PASSWORD_TOO_SIMPLE = "password-too-simple",
    PASSWORD_COMMON = "password-common",
    PASSWORD_CONTAINS_EMAIL = "password-contains-email",
    PASSWORD_WRONG = "password-wrong",

    // Numbers, ranges, lists, dates and choices.
    NUMBER_OUT_OF_RANGE = "number-out-of-range",
    YEARS_OUT_OF_RANGE = "years-out-of-range",
    DAYS_OUT_OF_RANGE = "days-out-of-range",
    SECONDS_OUT_OF_RANGE = "seconds-out-of-range",
    BPS_OUT_OF_RANGE = "bps-out-of-range",
    TOO_MANY_ENTRIES = "too-many-entries",
    DATE_IN_PAST = "date-in-past",
    DATE_NOT_IN_FUTURE = "date-not-in-future",
    DATE_TOO_FAR = "date-too-far",
    DATE_RANGE_REVERSED = "date-range-reversed",
    DATE_INVALID = "date-invalid",
    VALUE_NOT_ONE_OF = "value-not-one-of",
    LIMIT_OUT_OF_RANGE = "limit-out-of-range",
    CURSOR_INVALID = "cursor-invalid",
    NOTHING_TO_CHANGE = "nothing-to-change",
    SAVED_SEARCHES_FULL = "saved-searches-full",
    PRICE_RANGE_INVERTED = "price-range-inverted",
    OWNER_INVALID = "owner-invalid",
    CODE_INVALID = "code-invalid",
    NDA_HASH_MISMATCH = "nda-hash-mismatch",

    // Money.
    CURRENCY_UNSUPPORTED = "currency-unsupported",
    AMOUNT_NEGATIVE = "amount-negative",
    AMOUNT_NOT_POSITIVE = "amount-not-positive",
    AMOUNT_TOO_LARGE = "amount-too-large",
    AMOUNT_EMPTY = "amount-empty",
    AMOUNT_INVALID = "amount-invalid",
    AMOUNT_TOO_PRECISE = "amount-too-precise",

    // Patent numbers, credit codes, IPC symbols.
    PATENT_NUMBER_INVALID = "patent-number-invalid",
    PATENT_CHECK_CHARACTER_MISSING = "patent-check-character-missing",
    PATENT_TYPE_DIGIT_UNKNOWN = "patent-type-digit-unknown",
    PATENT_WRONG_CHECK_DIGIT = "patent-wrong-check-digit",
    CREDIT_CODE_LENGTH = "credit-code-length",
    CREDIT_CODE_CHARACTER = "credit-code-character",
    CREDIT_CODE_WRONG_CHECK = "credit-code-wrong-check",
    IPC_INVALID = "ipc-invalid",

    // Organizations, reference data, files.
    WEBSITE_SCHEME = "website-scheme",
    CENTER_NOT_REGISTRABLE = "center-not-registrable",
    REGION_UNKNOWN = "region-unknown",
    INDUSTRY_FIELD_UNKNOWN = "industry-field-unknown",
    FILE_EMPTY = "file-empty",
    FILE_TOO_LARGE = "file-too-large",
    FILE_MISSING = "file-missing",
    FILE_TYPE_UNRECOGNISED = "file-type-unrecognised",
    FILE_TYPE_NOT_ACCEPTED = "file-type-not-accepted",
    FILE_TYPE_MISMATCH = "file-type-mismatch",
    LICENCE_TYPE_NOT_ACCEPTED = "licence-type-not-accepted",
    DOCUMENT_STORE_UNAVAILABLE = "document-store-unavailable",
    CELL_NOT_YES_NO = "cell-not-yes-no",
    CELL_TRL_INVALID = "cell-trl-invalid",

    // Achievements and demands.
    TITLE_REQUIRED = "title-required",
    ABSTRACT_REQUIRED = "abstract-required",
    DESCRIPTION_REQUIRED = "description-required",
    MATURITY_REQUIRED = "maturity-required",
    TRANSACTION_MODE_REQUIRED = "transaction-mode-required",
    ASKING_PRICE_REQUIRED = "asking-price-required",
    PATENT_NUMBER_REQUIRED = "patent-number-required",
    PATENT_NUMBER_NOT_FOR_KIND = "patent-number-not-for-kind",
    PATENT_TYPE_MISMATCH = "patent-type-mismatch",
    TRL_OUT_OF_RANGE = "trl-out-of-range",
    TRL_NOT_FIT_MATURITY = "trl-not-fit-maturity",
    FLOOR_ABOVE_ASKING = "floor-above-asking",
    BUDGET_INVERTED = "budget-inverted",
    DEADLINE_PASSED = "deadline-passed",

    // Deals, offers, auctions, brokers.
    ROYALTY_MINIMUM_NEEDS_RATE = "royalty-minimum-needs-rate",
    EQUITY_SHARE_REQUIRED = "equity-share-required",
    TERMS_NEED_PRICE = "terms-need-price",
    MILESTONES_SUM_MISMATCH = "milestones-sum-mismatch",
    MILESTONES_NEED_LUMP_SUM = "milestones-need-lump-sum",
    MILESTONES_OUT_OF_ORDER = "milestones-out-of-order",
    AUCTION_RESERVE_BELOW_START = "auction-reserve-below-start",
    AUCTION_CLOSES_BEFORE_OPENING = "auction-closes-before-opening",
    AUCTION_TOO_LONG = "auction-too-long",
    AUCTION_MODE = "auction-mode",
    AUCTION_INVENTORS_FIRST_REFUSAL = "auction-inventors-first-refusal",
    BROKER_LEVEL_ADMIN_ONLY = "broker-level-admin-only",
    ATTACHMENT_UNKNOWN = "attachment-unknown",
    AUCTION_NEEDS_PUBLISHED = "auction-needs-published",
    BID_TOO_LOW = "bid-too-low",
    USER_UNKNOWN = "user-unknown",
    ACHIEVEMENT_UNKNOWN = "achievement-unknown",
    DEMAND_UNKNOWN = "demand-unknown",
    DEAL_UNKNOWN = "deal-unknown",
    OFFER_UNKNOWN = "offer-unknown",
    MESSAGE_UNKNOWN = "message-unknown",
    INVENTOR_UNKNOWN = "inventor-unknown",
    BROKER_UNKNOWN = "broker-unknown",
    BROKER_SUSPENDED = "broker-suspended",
    BROKER_CERTIFICATE_EXPIRED = "broker-certificate-expired",
    BROKER_CERTIFICATE_ADMIN_ONLY = "broker-certificate-admin-only",
    BROKER_NOT_INDEPENDENT = "broker-not-independent",
    BROKER_IS_SELF = "broker-is-self",
    DEAL_OFFER_OWN_ACHIEVEMENT = "deal-offer-own-achievement",
    DEAL_BROKER_NAMES_ACHIEVEMENT = "deal-broker-names-achievement",
    DEAL_SUBJECT_REQUIRED = "deal-subject-required",
    OFFER_OWN_SIDE_ONLY = "offer-own-side-only",
    OFFER_BROKER_SIDE_REQUIRED = "offer-broker-side-required",
    COUNTER_OFFER_SIDE = "counter-offer-side",
    REFUSAL_NOT_APPLICABLE = "refusal-not-applicable",

    // Patent open licensing.
    OPEN_LICENCE_NOT_GRANTED = "open-licence-not-granted",
    OPEN_LICENCE_NOT_PATENT = "open-licence-not-patent",
    OPEN_LICENCE_NEEDS_PUBLISHED = "open-licence-needs-published",
    OPEN_LICENCE_EVALUATION_REQUIRED = "open-licence-evaluation-required",
    OPEN_LICENCE_EVALUATION_UNKNOWN = "open-licence-evaluation-unknown",
    OPEN_LICENCE_ORDINARY_ONLY = "open-licence-ordinary-only",
    OPEN_LICENCE_ABOVE_CAP = "open-licence-above-cap",
    OPEN_LICENCE_NEEDS_PRICE = "open-licence-needs-price",
    OPEN_LICENCE_PERIOD_NEEDS_RATE = "open-licence-period-needs-rate",
    OPEN_LICENCE_CREDIT_NEEDS_FEE = "open-licence-credit-needs-fee",
    OPEN_LICENCE_TERMS_FIXED = "open-licence-terms-fixed",
    OPEN_LICENCE_BLOCKS_EXCLUSIVE = "open-licence-blocks-exclusive",
    ROYALTY_BASE_NEEDS_RATE = "royalty-base-needs-rate",
    ROYALTY_PROFIT_REQUIRED = "royalty-profit-required",
    ROYALTY_PROFIT_NOT_BASE = "royalty-profit-not-base",
    OPEN_LICENCE_COMMISSION_WITHOUT_BROKER = "open-licence-commission-without-broker",

    // Running royalties.
    ROYALTY_PERIOD_INVALID = "royalty-period-invalid",
    ROYALTY_PERIOD_OUTSIDE_TERM = "royalty-period-outside-term",
    ROYALTY_PERIOD_NOT_ENDED = "royalty-period-not-ended",
    ROYALTY_EARLIER_PERIOD_FIRST = "royalty-earlier-period-first",

    // The registration pre-check's findings.
    PRECHECK_REPRESENTATIVE_MISSING = "precheck-representative-missing",
    PRECHECK_CREDIT_CODE_MISSING = "precheck-credit-code-missing",
    PRECHECK_PATENT_NUMBER_MISSING = "precheck-patent-number-missing",
    PRECHECK_SUBJECT_UNNAMED = "precheck-subject-unnamed",
    PRECHECK_PATENT_NOT_GRANTED = "precheck-patent-not-granted",
    PRECHECK_PENDING_LICENCE = "precheck-pending-licence",
    PRECHECK_PRICE_MISSING = "precheck-price-missing",
    PRECHECK_SCHEDULE_MISMATCH = "precheck-schedule-mismatch",
    PRECHECK_ONE_SIDED_GRANT_BACK = "precheck-one-sided-grant-back",
    PRECHECK_FORBIDS_IMPROVING = "precheck-forbids-improving",
    PRECHECK_FREE_GRANT_BACK = "precheck-free-grant-back",
    PRECHECK_FORBIDS_OTHER_SOURCES = "precheck-forbids-other-sources",
    PRECHECK_FORBIDS_CHALLENGE = "precheck-forbids-challenge",
    PRECHECK_SIGNATURES_MISSING = "precheck-signatures-missing",

    // Search queries.
    QUERY_EXCLUDE_ALONE = "query-exclude-alone",
    QUERY_REQUIRE_ALONE = "query-require-alone",
    QUERY_PHRASE_UNCLOSED = "query-phrase-unclosed",
    QUERY_PHRASE_EMPTY = "query-phrase-empty",
    QUERY_TOO_LONG = "query-too-long",
    QUERY_OR_MISPLACED = "query-or-misplaced",
    QUERY_OR_EXCLUSION = "query-or-exclusion",
    QUERY_ONLY_EXCLUSIONS = "query-only-exclusions",

    // Payments.
    CARD_UNKNOWN = "card-unknown",
    CARD_NOT_YOURS = "card-not-yours",
    CARD_NOT_CONFIRMED = "card-not-confirmed",
    STRIPE_ACCOUNT_INVALID = "stripe-account-invalid",

    // The request itself (bodies and query strings the server could not read).
    BODY_NOT_OBJECT = "body-not-object",
    FIELD_MISSING = "field-missing",
    FIELD_UNKNOWN = "field-unknown",
    VALUE_WRONG_TYPE = "value-wrong-type",
    VALUE_UNKNOWN_VARIANT = "value-unknown-variant",
    VALUE_INVALID = "value-invalid",
    QUERY_PARAMETER_INVALID = "query-parameter-invalid",

    // Problem details the edge composes.
    DETAIL_ONE_FIELD = "detail-one-field",
    DETAIL_MANY_FIELDS = "detail-many-fields",
    DETAIL_STALE = "detail-stale",
    DETAIL_RATE_LIMITED = "detail-rate-limited",
    DETAIL_INVALID_TRANSITION = "detail-invalid-transition",

    // Notifications: what happened, worded for each reader in their language
    // (`crates/server/locales/*/notifications.ftl`).
    NOTICE_DEAL_OPENED = "notice-deal-opened",
    NOTICE_BROKER_INVITED = "notice-broker-invited",
    NOTICE_BROKER_ACCEPTED = "notice-broker-accepted",
    NOTICE_BROKER_DECLINED = "notice-broker-declined",
    NOTICE_DEAL_CANCELLED = "notice-deal-cancelled",
    NOTICE_DEAL_AGREED = "notice-deal-agreed",
    NOTICE_DEAL_EXPIRED = "notice-deal-expired",
    NOTICE_ROOM_MESSAGE = "notice-room-message",
    NOTICE_PRIVATE_MESSAGE = "notice-private-message",
    NOTICE_OFFER_RECEIVED = "notice-offer-received",
    NOTICE_OFFER_PROPOSED_BY_BROKER = "notice-offer-proposed-by-broker",
    NOTICE_OFFER_REJECTED = "notice-offer-rejected",
    NOTICE_FIRST_REFUSAL_INVENTOR = "notice-first-refusal-inventor",
    NOTICE_FIRST_REFUSAL_SENT = "notice-first-refusal-sent",
    NOTICE_FIRST_REFUSAL_CLAIMED = "notice-first-refusal-claimed",
    NOTICE_AUCTION_OUTBID = "notice-auction-outbid",
    NOTICE_AUCTION_WON = "notice-auction-won",
    NOTICE_AUCTION_SOLD = "notice-auction-sold",
    NOTICE_AUCTION_UNSOLD = "notice-auction-unsold",
    NOTICE_OPEN_LICENCE_PUBLISHED = "notice-open-licence-published",
    NOTICE_OPEN_LICENCE_REJECTED = "notice-open-licence-rejected",
    NOTICE_OPEN_LICENCE_TAKEN = "notice-open-licence-taken",
    NOTICE_ROYALTY_REPORTED = "notice-royalty-reported",
    NOTICE_ROYALTY_ACCEPTED = "notice-royalty-accepted",
    NOTICE_ROYALTY_DISPUTED = "notice-royalty-disputed",
    NOTICE_ROYALTY_REPORT_LATE = "notice-royalty-report-late",
    NOTICE_CONTRACT_TERMINATED = "notice-contract-terminated",
    NOTICE_MILESTONE_DUE = "notice-milestone-due",
    NOTICE_MILESTONE_OVERDUE = "notice-milestone-overdue",
    NOTICE_MILESTONE_OVERDUE_SELLER = "notice-milestone-overdue-seller",
    NOTICE_SAVED_SEARCH_MATCH = "notice-saved-search-match",
    NOTICE_ORGANIZATION_VERIFIED = "notice-organization-verified",
    NOTICE_ORGANIZATION_REJECTED = "notice-organization-rejected",

    // E-mails (`crates/server/locales/*/notifications.ftl`): each body with its subject.
    MAIL_PASSWORD_RESET = "mail-password-reset",
    MAIL_PASSWORD_RESET_SUBJECT = "mail-password-reset-subject",
    MAIL_INVITATION = "mail-invitation",
    MAIL_INVITATION_SUBJECT = "mail-invitation-subject",
    MAIL_CONFIRM_EMAIL = "mail-confirm-email",
    MAIL_CONFIRM_EMAIL_SUBJECT = "mail-confirm-email-subject",
    MAIL_NOTIFICATION = "mail-notification",

    // Readiness (`/ready`): each text starts with the name of the check that failed.
    NOT_READY_DATABASE = "not-ready-database",
    NOT_READY_SEARCH_INDEX = "not-ready-search-index",
    NOT_READY_SEARCH_INDEX_UNREADABLE = "not-ready-search-index-unreadable",
}

/// `must be between {min} and {max} basis points ({min_percent}–{max_percent}%)`.
pub fn bps_range(min: i32, max: i32) -> super::Message {
    BPS_OUT_OF_RANGE.with("min", min).with("max", max).with("min_percent", min / 100).with("max_percent", max / 100)
}
