# The words of the public bidding pages (挂牌竞价), in English. Keys are stable; edit the texts
# freely. Each key must also be in ../zh-CN/auctions.ftl (a test compares the files
# and the keys the templates and the code use). `{ $n }` and the like are values the
# page fills in; a count chooses its plural form with `{ $n -> [one] … *[other] … }`.
nav_auctions = Auctions
auctions_intro = Owners put achievements up at a starting price; verified enterprises bid openly until the close, and the highest bid wins. A bid in the last minutes extends the close.
auctions_open = Open for bids
auctions_upcoming = Upcoming
auctions_results = Results
auctions_none_open = No auction is open at the moment.
auctions_none_upcoming = No auction is scheduled.
auctions_none_closed = No auction has closed yet.
auction = Auction
auction_of_achievement = This achievement is up for public bidding
auction_open_page = Open the auction
open_auction = Put it up for public bidding
open_auction_intro = Set the starting price, the increment and the bidding period; verified enterprises bid openly and the highest bid wins. A bid in the last 5 minutes moves the close to 5 minutes after it. It can be cancelled until the first bid.
starting_price_yuan = Starting price (yuan)
increment_yuan = Bid increment (yuan)
reserve_yuan = Reserve price (yuan)
open_auction_submit = Open the bidding
current_price = Current price
starting_price = Starting price
final_price = Sold at
bid_increment = Bid increment
minimum_bid = Lowest next bid
bids = Bids
bid_count =
    { $n ->
        [one] { $n } bid
       *[other] { $n } bids
    }
reserve_price = Reserve price
reserve_private = seen only by the seller and the center
reserve_status = Reserve
reserve_met = Reserve met
reserve_not_met = Reserve not met yet
opens_at = Opens
closes_at = Closes
closed_at = Closed
original_close = originally
extended_times =
    { $n ->
        [one] extended once
       *[other] extended { $n } times
    }
time_left = Time left
opens_in = Opens in
days_left =
    { $n ->
        [one] { $n } day
       *[other] { $n } days
    }
extension = Extension rule
extension_rule = A bid in the last { $window } before the close moves the close to { $extension } after that bid.
extension_none = No extension: the auction ends at its closing time.
duration_hours =
    { $n ->
        [one] { $n } hour
       *[other] { $n } hours
    }
duration_minutes =
    { $n ->
        [one] { $n } minute
       *[other] { $n } minutes
    }
duration_seconds =
    { $n ->
        [one] { $n } second
       *[other] { $n } seconds
    }
no_bids_yet = No bids yet
you_lead = your organization leads
auction_sold_notice = The auction has closed. Sold at
auction_unsold_result = Unsold: no bid reached the reserve by the close.
auction_cancelled = The auction was cancelled
open_the_deal = Open the deal
place_bid = Place a bid
bid_amount_yuan = Your bid (yuan)
bid_binding = A bid cannot be withdrawn; at the close the highest bid at or above the reserve wins.
bid_sign_in = Sign in to bid (members of verified organizations)
bid_own_auction = Your organization put this up; it does not bid on it.
bid_buyers_only = Only members of buying organizations bid.
bid_unverified = Your organization can bid once the center has verified it.
bid_not_open = The auction is not open for bids.
bid_history = Bid history
bidder = Bidder
bidder_n = Bidder { $n }
your_bid = yours
bid_time = Time
result_notice = Result notice
result_subject = Subject
result_seller = Transferor / licensor
result_buyer = Transferee / licensee
result_closed_at = Concluded at
result_publicity_until = Public notice until
result_publicity_over = Notice period over
result_objections = Anyone who objects to this result may write to the trading center within the notice period (five working days after the close).
