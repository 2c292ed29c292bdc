# 通知的措辞，按读者的语言显示。键登记在 crates/core/src/message/keys.rs（NOTICE_*）。

notice-deal-opened = 新的洽谈
notice-broker-invited = 邀请您居间
notice-broker-accepted = 经纪人已接受居间
notice-broker-declined = 经纪人谢绝居间
notice-deal-cancelled = 洽谈已取消
notice-deal-agreed = 已达成一致
notice-deal-expired = 洽谈已过期
notice-room-message = 洽谈室有新消息
notice-private-message = 经纪人私聊有新消息
notice-offer-received = 收到新的报价
notice-offer-proposed-by-broker = 经纪人拟议了条件，请确认
notice-offer-rejected = 报价被拒绝
notice-first-refusal-inventor = 您作为发明人享有优先受让权
notice-first-refusal-sent = 已通知发明人行使优先受让权
notice-first-refusal-claimed = 发明人行使了优先受让权
notice-auction-outbid = 您的出价已被超过
notice-auction-won = 您已竞得
notice-auction-sold = 竞价已成交
notice-auction-unsold = 竞价流拍
notice-open-licence-published = 您的开放许可声明已公告
notice-open-licence-rejected = 平台退回了您的开放许可声明
notice-open-licence-taken = 有单位依您的开放许可声明取得了许可
notice-royalty-reported = 被许可人已报告 { $period } 的净销售额，请确认或提出异议
notice-royalty-accepted = 许可人已确认您 { $period } 的提成报告，应于 { $due } 前支付 { $amount } { $currency }
notice-royalty-disputed = 许可人对您 { $period } 的提成报告提出异议，请提交更正报告
notice-royalty-report-late = 您 { $period } 的提成报告应于 { $due } 前提交
notice-contract-terminated = 合同已被通知解除
notice-milestone-due = 里程碑「{ $milestone }」款项 { $amount } { $currency } 已于 { $due } 到期
notice-milestone-overdue = 里程碑「{ $milestone }」款项 { $amount } { $currency }（{ $due } 到期）逾期已超过宽限期
notice-milestone-overdue-seller = 乙方里程碑「{ $milestone }」款项 { $amount } { $currency }（{ $due } 到期）逾期已超过宽限期，可通知解除合同
notice-saved-search-match = 「{ $search }」有新成果：{ $title_zh }
notice-organization-verified = 平台已认证贵单位，现在可以发布成果和交易
notice-organization-rejected = 平台未通过贵单位的认证；请按原因修改单位信息后重新提交

# 邮件。正文中的 { $link } 为所指页面的完整地址。
mail-password-reset-subject = 重置密码
mail-password-reset =
    { $name }，您好：

    有人（希望是您本人）申请重置您在技术成果交易中心的账号密码。请在 { $minutes } 分钟内打开以下链接设置新密码：

    { $link }

    链接只能使用一次。如果不是您本人申请，请忽略本邮件，您的密码不会改变。
mail-invitation-subject = 邀请您加入{ $organization }
mail-invitation =
    您好：

    { $inviter } 邀请您以成员身份加入技术成果交易中心的“{ $organization }”。请在 { $days } 天内打开以下链接，设置您的姓名和密码：

    { $link }

    链接只能使用一次。如果您不认识发件人，请忽略本邮件。
mail-confirm-email-subject = 确认您的电子邮箱
mail-confirm-email =
    { $name }，您好：

    您的单位已在技术成果交易中心注册，并以此邮箱作为管理员邮箱。请在 { $hours } 小时内打开以下链接，确认此邮箱属于您：

    { $link }

    链接只能使用一次。如果您没有注册，请忽略本邮件。
mail-notification =
    { $title }

    { $details }
    { $link }

    您收到本邮件是因为您的账号开启了邮件通知；可在通知页面关闭：{ $settings }
