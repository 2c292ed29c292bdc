# What notifications say, worded for each reader. Keys are registered in
# crates/core/src/message/keys.rs (NOTICE_*).

notice-deal-opened = A new deal was opened
notice-broker-invited = You are invited to mediate a deal
notice-broker-accepted = The broker accepted to mediate
notice-broker-declined = The broker declined to mediate
notice-deal-cancelled = The deal was cancelled
notice-deal-agreed = Terms were agreed
notice-deal-expired = The deal expired
notice-room-message = New message in the deal room
notice-private-message = New private message with the broker
notice-offer-received = You received an offer
notice-offer-proposed-by-broker = The broker proposed terms for you to confirm
notice-offer-rejected = Your offer was rejected
notice-first-refusal-inventor = As an inventor you may claim this assignment first
notice-first-refusal-sent = The inventors were notified of their right of first refusal
notice-first-refusal-claimed = An inventor claimed the assignment
notice-auction-outbid = You were outbid
notice-auction-won = You won the bidding
notice-auction-sold = Your bidding closed with a winner
notice-auction-unsold = Your bidding closed unsold
notice-open-licence-published = Your open-licence declaration is published
notice-open-licence-rejected = The center returned your open-licence declaration
notice-open-licence-taken = An organization took a licence under your open-licence declaration
notice-royalty-reported = The licensee reported net sales for { $period }: please accept or dispute the royalty
notice-royalty-accepted = The licensor accepted your royalty report for { $period }; { $amount } { $currency } is due by { $due }
notice-royalty-disputed = The licensor disputed your royalty report for { $period }: file a corrected report
notice-royalty-report-late = Your royalty report for { $period } was due by { $due }
notice-contract-terminated = The contract was terminated by notice
notice-milestone-due = The payment of milestone “{ $milestone }” ({ $amount } { $currency }) was due on { $due }
notice-milestone-overdue = The payment of milestone “{ $milestone }” ({ $amount } { $currency }, due { $due }) is overdue past the cure period
notice-milestone-overdue-seller = The buyer’s payment of milestone “{ $milestone }” ({ $amount } { $currency }, due { $due }) is overdue past the cure period: you may terminate by notice
notice-saved-search-match = New match for “{ $search }”: { $title_en }
notice-organization-verified = The center verified your organization: it may now publish and trade
notice-organization-rejected = The center did not verify your organization; change its details as the reason says to apply again

# E-mails. A body's { $link } is the absolute address of the page it points to.
mail-password-reset-subject = Reset your password
mail-password-reset =
    Hello { $name },

    Someone (we hope you) asked to reset the password of your account at the technology achievements trading center. Open this link within { $minutes } minutes to choose a new password:

    { $link }

    The link works once. If you did not ask for it, ignore this mail: your password stays as it is.
mail-invitation-subject = Invitation to join { $organization }
mail-invitation =
    Hello,

    { $inviter } invites you to join { $organization } at the technology achievements trading center. Open this link within { $days } days to choose your name and password:

    { $link }

    The link works once. If you do not know the sender, ignore this mail.
mail-confirm-email-subject = Confirm your e-mail address
mail-confirm-email =
    Hello { $name },

    Your organization has applied to the technology achievements trading center with this address for its administrator. Open this link within { $hours } hours to confirm that the address is yours:

    { $link }

    The link works once. If you did not register, ignore this mail.
mail-notification =
    { $title }

    { $details }
    { $link }

    You receive these mails because e-mail notifications are on for your account; turn them off on the notifications page: { $settings }
