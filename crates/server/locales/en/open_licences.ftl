# The words of the open-licensing pages (专利开放许可), in English. Keys are stable; edit the
# texts freely. Each key must also be in ../zh-CN/open_licences.ftl (a test compares the
# files). A count chooses its plural form with `{ $n -> [one] … *[other] … }`.
nav_open_licences = Open licences
nav_open_licence_desk = Open-licence review
ol_intro = Patents whose owners declared that anyone may take an ordinary licence on published terms (Patent Law arts. 50–52). A verified organization takes the licence in one step: the contract is drafted on the declared terms, signed by the licensee, registered by the center, and the fee is paid online.
ol_all_fields = All fields
ol_filter = Filter
ol_fee = Licence fee
ol_entry_fee = Entry fee
ol_royalty = Royalty
ol_of_net_sales = of net sales
ol_minimum = Minimum royalty per year
ol_period = Reporting period
ol_period_none = No running royalty
ol_entry_fee_credited = Entry fee credited against royalties
ol_conditions = Other conditions
ol_evaluation_report = Patent evaluation report
ol_download = Download
ol_published_at = Published on
ol_licences_granted = Licences granted
ol_licences_taken =
    { $n ->
        [one] { $n } licence taken
       *[other] { $n } licences taken
    }
ol_none = No open-licence declaration is published yet.
ol_declaration = Open licence
ol_returned = Returned by the center
ol_pending_note = The center reviews this declaration before it is public.
ol_withdrawn_note = The patentee withdrew this declaration; licences already taken stand.
ol_licensor = Licensor (patentee)
ol_law_note = An open licence is an ordinary, non-exclusive licence. Whoever notifies the patentee in writing and pays the fee has the licence (Patent Law art. 51); here the notice is this page's action and the contract records it.
ol_take = Take the licence
ol_take_intro = Your organization gets an ordinary licence on the terms above. The contract is drafted at once; you sign it, the center registers it, and then you pay the fee.
ol_take_confirm = Take an ordinary licence on the declared terms? The contract is drafted for your organization to sign.
ol_take_submit = Take the licence
ol_taken_done = The licence contract is drafted: read it and sign.
ol_anonymous = Do not name our organization in the public list of licences
ol_anonymous_licensee = A licensee (not named)
ol_sign_in = Sign in to take the licence
ol_not_open = This declaration is not open for licences.
ol_own = This is your organization's declaration.
ol_unverified = Your organization must be verified before it takes a licence.
ol_taken_or_not_allowed = Your organization already holds a licence under this declaration, or cannot take one.
ol_review = Review
ol_approved_done = The declaration is published.
ol_rejected_done = The declaration went back to the patentee.
ol_withdraw = Withdraw the declaration
ol_withdraw_confirm = Withdraw this open-licence declaration? Licences already taken stand.
ol_withdrawn_done = The declaration is withdrawn.
ol_licensee = Licensee
ol_taken_at = Taken on
ol_registered_at = Registered on
ol_no_licences = No licence has been granted yet.
ol_desk_intro = Open-licence declarations waiting for review: check the patent, its evaluation report where the law asks for one, and the terms, then publish or return with a reason.
ol_desk_empty = No declaration is waiting for review.
ol_of_patent = Open licence
ol_open_page = Open the declaration
ol_declare = Declare an open licence
ol_declare_intro = Anyone may then take an ordinary licence of this patent on these terms, without negotiation. Give a fee, a royalty rate on net sales, or both. The center reviews the declaration before it is public; you can withdraw it later, and licences already taken stand.
ol_declared_done = The declaration is sent for review.
ol_fee_yuan = Licence fee, or entry fee with a royalty (yuan)
ol_royalty_percent = Royalty on net sales (%)
ol_minimum_yuan = Minimum royalty per year (yuan)
ol_representative = Your representative who signs licences
ol_no_report = None
ol_limits_note = The center's limits on the fee, the royalty rate and the term apply; a declaration outside them is refused field by field. A utility model or design needs its patent evaluation report, uploaded as a public document.
ol_declare_submit = Send for review
ol_contract_fixed = The terms are those of the published open-licence declaration and stand as declared; name your representative who signs.
ol_concluded_by_notice = Taken by notice under the open-licence declaration
