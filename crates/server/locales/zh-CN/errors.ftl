# techex 的中文错误信息：问题标题、说明和各字段的错误提示。
# 键名保持不变，只修改等号后的文字；每个键也须出现在 ../en/errors.ftl 中
# （测试会比对两个文件以及代码用到的键）。

## 按问题代码的标题和默认说明。

problem-not_found-title = 未找到
problem-not_found-detail = 此地址下没有内容
problem-validation_failed-title = 输入有误
problem-validation_failed-detail = 请求内容无效
problem-invalid_transition-title = 当前状态下不允许此操作
problem-invalid_transition-detail = 当前状态下不允许此操作
problem-conflict-title = 冲突
problem-conflict-detail = 请求与当前状态冲突
problem-gone-title = 已失效
problem-gone-detail = 已过期失效
problem-precondition_failed-title = 版本已过期
problem-precondition_failed-detail = 您修改的版本已过期，请重新加载
problem-unauthenticated-title = 需要登录
problem-unauthenticated-detail = 请先登录
problem-forbidden-title = 无权操作
problem-forbidden-detail = 您无权执行此操作
problem-rate_limited-title = 尝试次数过多
problem-rate_limited-detail = 尝试次数过多，请稍后再试
problem-payload_too_large-title = 请求内容过大
problem-payload_too_large-detail = 请求内容过大
problem-malformed_request-title = 请求格式错误
problem-malformed_request-detail = 请求格式错误
problem-unsupported_media_type-title = 不支持的内容类型
problem-unsupported_media_type-detail = 此处不接受该内容类型
problem-invalid_query-title = 检索式无法解析
problem-invalid_query-detail = 检索式无法解析
problem-invalid_signature-title = 签名验证失败
problem-invalid_signature-detail = 签名验证失败
problem-unavailable-title = 服务暂不可用
problem-unavailable-detail = 服务暂不可用，请稍后重试
problem-request_timeout-title = 请求超时
problem-request_timeout-detail = 请求用时过长已被中止，未保存任何内容
problem-uri_too_long-title = 地址过长
problem-uri_too_long-detail = 请求地址过长
problem-method_not_allowed-title = 不允许的请求方法
problem-method_not_allowed-detail = 此资源不允许该请求方法
problem-header_too_large-title = 请求头过大
problem-header_too_large-detail = 请求头过大
problem-internal-title = 内部错误
problem-internal-detail = 发生内部错误，已记录

## 在接口边缘组合的说明。

detail-one-field = { $field }：{ $message }
detail-many-fields = 有 { $count } 个字段填写有误
detail-stale = 版本 { $given } 已过期，当前版本为 { $current }
detail-rate-limited = 尝试次数过多，请 { $seconds } 秒后再试
detail-invalid-transition = { $entity ->
        [achievement] 该成果
        [demand] 该需求
        [deal] 该洽谈
        [offer] 该报价
        [contract] 该合同
        [milestone] 该里程碑
        [auction] 该竞价
        [organization] 该机构
        [user] 该用户
        [broker] 该经纪人
        [open_licence] 该开放许可声明
        [royalty_report] 该提成报告
        [first_refusal] 该优先购买权
        [nda] 该保密协议
       *[other] 该对象
    }{ $state ->
        [draft] 还是草稿，不能进行此操作
        [pending_review] 正在审核，不能进行此操作
        [submitted] 已提交，不能进行此操作
        [published] 已发布，不能进行此操作
        [rejected] 已被退回，不能进行此操作
        [withdrawn] 已撤回，不能进行此操作
        [open] 仍在进行，不能进行此操作
        [closed] 已关闭，不能进行此操作
        [inquiry] 还在询价，不能进行此操作
        [brokered] 已由经纪人撮合，不能进行此操作
        [negotiating] 正在洽谈，不能进行此操作
        [agreed] 已达成一致，不能进行此操作
        [contracted] 已签订合同，不能进行此操作
        [proposed] 已提出，不能进行此操作
        [countered] 已有还价，不能进行此操作
        [superseded] 已被新报价取代，不能进行此操作
        [cancelled] 已取消，不能进行此操作
        [expired] 已过期，不能进行此操作
        [scheduled] 尚未付款，不能进行此操作
        [payment_pending] 正在付款，不能进行此操作
        [paid] 已付款，不能进行此操作
        [accepted] 已验收，不能进行此操作
        [refunded] 已退款，不能进行此操作
        [signing] 正在签署，不能进行此操作
        [signed] 已签署，不能进行此操作
        [registered] 已登记，不能进行此操作
        [performing] 正在履行，不能进行此操作
        [terminated] 已终止，不能进行此操作
        [completed] 已完成，不能进行此操作
        [fulfilled] 已履行完毕，不能进行此操作
        [disputed] 有争议，不能进行此操作
        [traded] 已成交，不能进行此操作
        [unsold] 已流拍，不能进行此操作
        [pending] 尚待处理，不能进行此操作
        [verified] 已认证，不能进行此操作
        [suspended] 已暂停，不能进行此操作
        [disabled] 已停用，不能进行此操作
       *[other] 在当前状态下不能进行此操作
    }

## 尚无键名的文字。

verbatim = { $text }

## 文字、电子邮箱和密码。

text-empty = 不能为空
text-too-long = 最多 { $max } 个字符（当前 { $count } 个）
text-control-characters = 不能包含控制字符
email-invalid = “{ $input }”不是有效的电子邮箱地址
password-too-short = 至少需要 { $min } 个字符
password-too-long = 最多 { $max } 个字符
password-too-simple = 须至少包含两类字符（字母、数字、符号）
password-common = 是常见密码，请换一个
password-contains-email = 不能包含邮箱用户名
password-wrong = 与当前密码不符

## 数字、范围、列表、日期和选项。

number-out-of-range = 须在 { $min } 至 { $max } 之间
years-out-of-range = 须在 { $min } 至 { $max } 年之间
days-out-of-range = 须在 { $min } 至 { $max } 天之间
seconds-out-of-range = 须在 { $min } 至 { $max } 秒之间
bps-out-of-range = 须在 { $min } 至 { $max } 个基点之间（{ $min_percent }%–{ $max_percent }%）
too-many-entries = 最多 { $max } 项
date-in-past = 不能早于今天
date-not-in-future = 须晚于当前时间
date-too-far = 须在 { $max } 天以内
date-range-reversed = 不能早于开始日期
date-invalid = 请按 YYYY-MM-DD 填写日期
value-not-one-of = “{ $input }”不是可选值之一：{ $allowed }
limit-out-of-range = 须在 { $min } 至 { $max } 之间
cursor-invalid = 不是本接口返回的分页游标
nothing-to-change = 没有任何改动
saved-searches-full = 您已保存 { $max } 个检索，请先删除一个
price-range-inverted = 不能低于最低价格
owner-invalid = 须为机构编号或 `mine`
code-invalid = 须为 1 至 64 个小写字母、数字或下划线
nda-hash-mismatch = 与当前保密协议文本不一致，请重新获取并阅读后再接受

## 金额。

currency-unsupported = 不支持的币种“{ $input }”（可用：{ $allowed }）
amount-negative = 不能为负数
amount-not-positive = 须大于零
amount-too-large = 超过平台接受的最大金额（1000 亿）
amount-empty = 金额为空
amount-invalid = “{ $input }”不是有效金额（数字，可带小数点、万或亿）
amount-too-precise = “{ $input }”的小数位数超过币种允许的位数

## 专利号、统一社会信用代码、IPC 分类号。

patent-number-invalid = “{ $input }”不是有效的专利申请号（12 位数字、小数点和校验位，例如 { $example }）
patent-check-character-missing = “{ $input }”的小数点后须有且仅有一位校验位
patent-type-digit-unknown = “{ $input }”的类型位“{ $digit }”无效（1 发明、2 实用新型、3 外观设计、8 或 9 PCT）
patent-wrong-check-digit = “{ $input }”的校验位不正确（应为“{ $expected }”）
credit-code-length = “{ $input }”不是统一社会信用代码（应为 18 位）
credit-code-character = “{ $input }”第 { $position } 位的“{ $character }”无效（可用数字及除 I、O、S、V、Z 外的大写字母）
credit-code-wrong-check = “{ $input }”的校验码不正确（应为“{ $expected }”）
ipc-invalid = “{ $input }”不是有效的 IPC 分类号（例如 `C02F 1/44` 或 `G06N`）

## 机构、参考数据、文件。

website-scheme = 须以 http:// 或 https:// 开头
center-not-registrable = 交易中心随系统安装而存在，不能注册
region-unknown = “{ $input }”不是已知地区（请填写行政区划代码如 370200，或地区名称）
industry-field-unknown = “{ $input }”不是已知的产业领域（可选：{ $allowed }）
file-empty = 文件为空
file-too-large = 文件超过 { $max } 字节的上限
file-missing = 请以 multipart 字段 `file` 附上文件
file-type-unrecognised = 无法识别“{ $filename }”的文档类型
file-type-not-accepted = “{ $filename }”的类型为 { $detected }，不予接受（仅接受 PDF、图片、Office 文档或纯文本）
file-type-mismatch = “{ $filename }”声明为 { $claimed }，但内容为 { $detected }
licence-type-not-accepted = “{ $filename }”不是 PDF、JPEG 或 PNG 文件，营业执照仅接受这三种格式
document-store-unavailable = 暂时无法连接文档存储，文件未保存；请稍后重试
cell-not-yes-no = “{ $input }”不是“是/否”
cell-trl-invalid = “{ $input }”不是 1 至 9 的技术就绪度

## 科技成果和技术需求。

title-required = 请填写标题（中文、英文或两者）
abstract-required = 提交审核前请填写摘要（中文、英文或两者）
description-required = 提交审核前请填写需求描述（中文、英文或两者）
maturity-required = 提交审核前请选择成熟度
transaction-mode-required = 提交审核前请至少选择一种交易方式
asking-price-required = 请填写挂牌价或选择面议
patent-number-required = 专利类成果提交审核前须填写申请号
patent-number-not-for-kind = 该类型的成果没有专利号
patent-type-mismatch = 申请号的类型位与专利类型不符
trl-out-of-range = 技术就绪度须在 1 至 9 之间
trl-not-fit-maturity = 技术就绪度 { $trl } 与所选成熟度不符（应为 { $min }–{ $max }）
floor-above-asking = 底价不能高于挂牌价
budget-inverted = 预算上限不能低于下限
deadline-passed = 截止日期已过，请重新设置

## 洽谈、报价、竞价、经纪人。

royalty-minimum-needs-rate = 设定提成保底金额须同时约定提成比例
equity-share-required = 作价入股须约定所占股权比例
terms-need-price = 条款须约定价款：一次性总价、提成或股权比例
milestones-sum-mismatch = 各期付款合计 { $total }，与总价 { $lump } 不符
milestones-need-lump-sum = 分期付款须有可分配的总价
milestones-out-of-order = 请按到期先后排列付款节点
auction-reserve-below-start = 不能低于起拍价
auction-closes-before-opening = 须晚于开始时间
auction-too-long = 竞价最长 { $max } 天
auction-mode = 公开竞价仅用于转让或许可
auction-inventors-first-refusal = 已登记发明人的职务发明转让须通过洽谈进行，以便发明人行使优先受让权（民法典第八百四十七条）
broker-level-admin-only = 只有平台管理员可以调整经纪人等级
attachment-unknown = 本洽谈的该频道中没有此附件
auction-needs-published = 只有已发布的成果可以参加竞价
bid-too-low = 出价不能低于 { $minimum }
user-unknown = 没有此编号的有效用户
achievement-unknown = 没有此编号的已发布成果
demand-unknown = 没有此编号的已发布需求
deal-unknown = 您没有此编号的洽谈
offer-unknown = 本洽谈中没有此编号的待答复报价
message-unknown = 该频道中没有此编号的消息
inventor-unknown = 不是本成果登记的发明人
broker-unknown = 没有此编号的持证经纪人
broker-suspended = 该经纪人已暂停执业，不能承接新的洽谈
broker-certificate-expired = 该经纪人的证书已过期，续期前不能承接新的洽谈
broker-certificate-admin-only = 只有平台管理员可以更改证书有效期
broker-not-independent = 经纪人须独立于交易双方
broker-is-self = 您本人即为本洽谈的经纪人
deal-offer-own-achievement = 请推荐本机构的成果（经纪人可推荐任何成果）
deal-broker-names-achievement = 经纪人回应需求时须指明所推荐的成果
deal-subject-required = 请指明洽谈的成果或需求
offer-own-side-only = 交易方只能为己方报价
offer-broker-side-required = 经纪人须代表 `seller`（卖方）或 `buyer`（买方）提出条款
counter-offer-side = 还价须由答复的一方提出
refusal-not-applicable = 优先受让权仅适用于已登记发明人的成果转让
open-licence-not-granted = 开放许可须针对已授权的专利，专利申请授权后方可声明
open-licence-not-patent = 只有专利（发明、实用新型或外观设计）可以声明开放许可
open-licence-needs-published = 只有已发布的成果可以声明开放许可
open-licence-evaluation-required = 实用新型和外观设计须提供专利权评价报告：请将其作为成果的公开文件上传并在此选择
open-licence-evaluation-unknown = 该文件不是本成果的公开文件
open-licence-ordinary-only = 开放许可只能是普通许可；独占和排他许可须通过洽谈成交
open-licence-above-cap = 超过平台规定的开放许可上限 { $max }
open-licence-needs-price = 请填写许可费、提成比例或二者
open-licence-period-needs-rate = 报告周期须与提成比例同时填写
open-licence-credit-needs-fee = 只有入门费可以抵扣提成
open-licence-terms-fixed = 开放许可的条款以公告的声明为准，被许可人只能填写本方代表
open-licence-commission-without-broker = 佣金是给经纪人的：请选择经纪人，或不填佣金
royalty-base-needs-rate = 提成基数须与提成比例一并约定
royalty-profit-required = 本合同按利润提成：请填写本期许可产品的利润（亏损填负数）
royalty-profit-not-base = 本合同按净销售额提成：无需填写利润
open-licence-blocks-exclusive = 该专利处于开放许可期间，不得给予独占或排他许可（《专利法》第五十一条）
royalty-period-invalid = 期间格式应为“{ $example }”（{ $kind }）
royalty-period-outside-term = 合同提成期间为 { $start } 至 { $end }，该期间不在其内
royalty-period-not-ended = 该期间于 { $end } 结束，请在结束后报告销售额
royalty-earlier-period-first = 请先报告 { $period } 并经许可人确认：各期间须依次报告

## 支付。

card-unknown = 没有这张已保存的银行卡
card-not-yours = 这张银行卡不是为贵机构保存的
card-not-confirmed = 银行卡尚未确认
stripe-account-invalid = Stripe 关联账户编号须为 acct_ 加最多 64 个字母或数字

## 请求本身。

body-not-object = 请求体须为 JSON 对象
field-missing = 此项为必填
field-unknown = “{ $name }”不是此请求的字段
value-wrong-type = 类型不正确
value-unknown-variant = “{ $value }”不是可选值之一：{ $allowed }
value-invalid = 取值无效
query-parameter-invalid = 查询参数“{ $name }”无效

## 合同登记预审的发现。

precheck-representative-missing = 请写明各方的签约代表人
precheck-credit-code-missing = 各方均须具有统一社会信用代码
precheck-patent-number-missing = 专利合同须写明专利号（申请号）
precheck-subject-unnamed = 合同标的没有名称
precheck-patent-not-granted = 转让的是专利权，但该专利尚未授权
precheck-pending-licence = 许可的是尚在申请中的专利：授权前中心按技术秘密许可合同登记
precheck-price-missing = 未写明价款
precheck-schedule-mismatch = 付款计划的合计与价款不一致
precheck-one-sided-grant-back = 被许可方的改进成果归许可方所有：单方回授属于限制技术竞争的条款
precheck-forbids-improving = 其他约定中有“{ $phrase }”：禁止受让方改进技术
precheck-free-grant-back = 其他约定中有“{ $phrase }”：要求受让方无偿交出改进成果
precheck-forbids-other-sources = 其他约定中有“{ $phrase }”：禁止受让方从其他来源获得技术
precheck-forbids-challenge = 其他约定中有“{ $phrase }”：禁止对专利的有效性提出异议
precheck-signatures-missing = 尚有当事方未签署当前版本

## 检索式。

query-exclude-alone = `-` 后须紧跟要排除的词或短语
query-require-alone = `+` 后须紧跟必须包含的词或短语
query-phrase-unclosed = 短语的引号没有闭合
query-phrase-empty = 短语为空
query-too-long = 检索式超过 { $max } 个字符
query-or-misplaced = `OR` 须位于两个词或短语之间
query-or-exclusion = 排除项不能作为 `OR` 的一侧
query-only-exclusions = 只有排除项的检索式匹配不到任何结果，请添加要检索的词
not-ready-database = `database`：数据库无应答
not-ready-search-index = `search_index`：检索索引落后发件箱 { $behind } 条（位于 { $position }，最新为 { $head }；至多允许 { $max } 条）
not-ready-search-index-unreadable = `search_index`：无法读取检索索引的位置

## Refusals of the domain rules (409, 403, 410): why.
refused-a-broker-whose-certificate-has-expired-cannot = 经纪人证书已过期，不能承接新的洽谈
refused-a-caucus-needs-a-broker-who-accepted = 单独沟通需要一位已接受调解邀请的经纪人
refused-a-first-refusal-notice-is-already-open = 此洽谈已有一份优先购买权通知在进行中
refused-a-licence-taken-by-notice-is-on = 依公告取得的许可按声明公布的条件执行，不再协商
refused-a-milestone-is-paid-or-being-paid = 有里程碑已付款或正在付款：请先验收或拒绝，再终止合同
refused-a-registration-number-was-taken-at-the = 登记编号同时被占用，请重试
refused-a-suspended-broker-cannot-take-on-new = 已暂停的经纪人不能承接新的洽谈
refused-a-termination-is-already-proposed-answer-or = 已有终止提议，请答复或撤回
refused-a-user-with-this-e-mail-address = 已有用户使用此电子邮箱
refused-accept-the-invitation-to-mediate-before-taking = 请先接受调解邀请，再参与洽谈
refused-accept-the-invitation-to-see-the-deal = 请先接受邀请，再查看此洽谈
refused-accept-the-invitation-to-see-the-deal-2 = 请先接受邀请，再查看洽谈记录
refused-accept-the-invitation-to-see-the-offers = 请先接受邀请，再查看报价
refused-agreed-terms-are-cancelled-by-a-party = 已约定的条件只能由一方当事人或中心取消
refused-an-achievement-with-this-patent-number-is = 已有成果使用此专利号
refused-an-exclusive-or-sole-licence-of-this = 此专利的独占或排他许可正在有效期内，不能开放许可
refused-an-industry-field-with-this-code-exists = 已有使用此代码的行业领域
refused-an-invited-broker-declines-the-invitation-instead = 受邀经纪人请改用“拒绝邀请”
refused-an-organization-with-this-credit-code-is = 已有机构使用此统一社会信用代码注册
refused-another-bid-was-placed-at-the-same = 同一时刻已有另一出价，请重试
refused-another-offer-of-this-deal-was-accepted = 此洽谈的另一报价已先被接受
refused-another-offer-was-made-at-the-same = 同一时刻已有另一报价，请刷新后重试
refused-another-payment-of-this-milestone-started-at = 同一时刻已有此里程碑的另一笔付款
refused-feedback-comes-from-prospective-buyers-not-the = 反馈来自潜在买方，而不是成果所有方
refused-members-of-an-organization-take-licences-for = 只有机构成员可以代表机构取得许可
refused-no-successful-payment-of-this-milestone = 此里程碑没有成功的付款
refused-no-termination-is-proposed = 没有待答复的终止提议
refused-only-members-of-a-buying-organization-bid = 只有买方机构的成员可以出价
refused-only-members-of-an-organization-send-inquiries = 只有机构成员可以发起询价
refused-only-members-of-the-organization-may-list = 只有本机构成员可以发布成果
refused-only-members-of-the-organization-may-post = 只有本机构成员可以发布需求
refused-only-platform-administrators-certify-brokers = 只有平台管理员可以认证经纪人
refused-only-platform-administrators-list-suspended-brokers = 只有平台管理员可以查看已暂停的经纪人
refused-only-platform-administrators-look-up-users = 只有平台管理员可以查找用户
refused-only-platform-administrators-read-the-whole-audit = 只有平台管理员可以查看完整的审计日志
refused-only-platform-administrators-remove-center-roles = 只有平台管理员可以撤销中心职务
refused-only-platform-administrators-suspend-or-reinstate-brokers = 只有平台管理员可以暂停或恢复经纪人
refused-only-platform-administrators-verify-organizations = 只有平台管理员可以认证机构
refused-only-the-broker-or-a-platform-administrator = 只有经纪人本人或平台管理员可以编辑此简介
refused-only-the-center-s-registrars-register-technology = 只有中心登记员可以登记技术合同
refused-only-the-center-s-registrars-return-contracts = 只有中心登记员可以退回合同
refused-only-the-center-s-reviewers-review-open = 只有中心审核员可以审核开放许可声明
refused-only-the-invited-broker-answers-the-invitation = 只有受邀经纪人可以答复邀请
refused-only-the-licensee-invites-a-broker = 依开放许可取得的许可，只有被许可人可以邀请经纪人
refused-only-the-organization-s-administrators-may-change = 只有本机构管理员可以变更成员
refused-only-the-organization-s-administrators-may-edit = 只有本机构管理员可以编辑机构信息
refused-only-the-organization-s-administrators-may-invite = 只有本机构管理员可以邀请成员
refused-only-the-organization-s-administrators-upload-its = 只有本机构管理员可以上传营业执照
refused-only-the-owner-or-the-center-for = 只有所有方（或代其操作的中心）可以将成果交付竞价
refused-only-the-owner-sees-the-feedback-and = 只有所有方可以查看成果的反馈和分析
refused-only-the-owner-s-administrators-manage-its = 只有所有方的管理员可以管理其收款账户
refused-only-the-owning-organization-may-attach-documents = 只有所属机构可以添加文件
refused-only-the-owning-organization-may-close-this = 只有所属机构可以关闭此需求
refused-only-the-owning-organization-may-delete-a = 只有所属机构可以删除需求
refused-only-the-owning-organization-may-delete-an = 只有所属机构可以删除成果
refused-only-the-owning-organization-may-edit-a = 只有所属机构可以编辑需求
refused-only-the-owning-organization-may-edit-an = 只有所属机构可以编辑成果
refused-only-the-owning-organization-may-remove-documents = 只有所属机构可以删除文件
refused-only-the-owning-organization-may-submit-this = 只有所属机构可以提交此需求
refused-only-the-owning-organization-may-withdraw-this = 只有所属机构可以撤回此成果
refused-only-the-parties-and-their-broker-amend = 只有当事人及其经纪人可以修改合同
refused-only-the-parties-and-their-broker-make = 只有当事人及其经纪人可以报价
refused-only-the-parties-and-their-broker-sign = 只有当事人及其经纪人可以签署
refused-only-the-parties-or-the-center-choose = 只有当事人或中心可以选择经纪人
refused-only-the-patentee-declares-an-open-licence = 只有专利权人可以声明其专利的开放许可
refused-only-the-patentee-withdraws-its-declaration = 只有专利权人可以撤回其声明
refused-only-the-seller-or-the-center-cancels = 只有卖方或中心可以取消竞价
refused-only-the-side-it-was-proposed-for = 只有被提议的一方可以确认经纪人的提议
refused-only-the-side-that-made-an-offer = 只有报价方可以撤回报价
refused-the-achievement-changed-since-the-center-approved = 成果在中心审核通过后已有改动（或从未通过审核），请提交审核
refused-the-buyer-accepts-the-milestones = 只有买方可以验收里程碑
refused-the-buyer-pays-the-milestones = 只有买方可以支付里程碑款项
refused-the-buyer-rejects-a-delivered-milestone = 只有买方可以拒绝已交付的里程碑
refused-the-licensee-reports-its-sales = 只有被许可方可以申报销售额
refused-the-licensor-accepts-or-disputes-a-royalty = 只有许可方可以接受或质疑提成报告
refused-the-other-party-agrees-to-the-termination = 只有另一方当事人可以同意终止
refused-the-owning-organization-does-not-sign-its = 所属机构无需签署自己的保密协议
refused-the-parties-or-their-broker-draft-the = 只有当事人或其经纪人可以起草合同
refused-the-patentee-does-not-take-a-licence = 专利权人不能取得自己专利的许可
refused-the-payment-is-still-being-set-up = 付款仍在准备中，请稍后重试
refused-the-payouts-of-this-milestone-already-exist = 此里程碑的分账付款已经存在
refused-the-seller-and-the-buyer-terminate-their = 只有卖方和买方可以终止合同
refused-the-seller-does-not-bid-on-its = 卖方不能在自己的竞价中出价
refused-the-seller-notifies-its-inventors-or-the = 只有卖方（或代其操作的经纪人）可以通知发明人
refused-the-seller-s-organization-records-the-inventors = 只有卖方机构可以记录发明人的答复
refused-the-statistics-are-for-the-trading-center = 统计数据仅供交易中心工作人员查看
refused-there-is-already-a-live-deal-between = 贵机构与此成果之间已有进行中的洽谈
refused-this-achievement-is-already-up-for-bidding = 此成果已在竞价中
refused-this-certificate-number-is-already-registered = 此证书编号已被登记
refused-this-deal-already-has-a-broker = 此洽谈已有经纪人
refused-this-deal-already-has-a-contract = 此洽谈已有合同
refused-this-demand-is-your-own-organization-s = 此需求属于贵机构
refused-this-document-is-confidential-accept-the-achievement = 此文件保密：请先接受该成果的保密协议再下载
refused-this-invitation-has-already-been-accepted = 此邀请已被接受
refused-this-invitation-has-expired-ask-for-a = 此邀请已过期，请重新申请
refused-this-licence-already-has-its-contract = 此许可已有合同
refused-this-link-has-already-been-used-your = 此链接已使用过：您的邮箱已确认
refused-this-link-has-already-been-used-ask = 此链接已使用过，请重新申请
refused-this-link-has-expired-ask-for-a = 此链接已过期，请重新申请
refused-this-patent-already-has-an-open-licence = 此专利已有待审核或已公告的开放许可声明
refused-this-period-is-already-reported = 此期间已申报
refused-this-user-is-already-a-certified-broker = 此用户已是认证经纪人
refused-under-an-open-licence-the-published-declaration = 开放许可中，已公告的声明即许可方的同意：只需被许可方签署
refused-you-cannot-disable-your-own-account = 不能停用自己的账户
refused-you-cannot-remove-your-own-administrator-role = 不能撤销自己的管理员职务
refused-your-e-mail-address-is-confirmed-already = 您的邮箱已经确认
refused-your-organization-already-took-a-licence-under = 贵机构已依此声明取得许可
refused-your-organization-does-not-offer-technology = 贵机构不提供技术
refused-your-organization-is-not-verified-yet-a = 贵机构尚未认证；平台管理员认证后方可交易
refused-your-organization-must-be-verified-before-it = 贵机构须先通过认证才能出价
refused-your-organization-must-be-verified-before-it-2 = 贵机构须先通过认证才能接收保密信息
refused-your-organization-must-be-verified-before-it-3 = 贵机构须先通过认证才能取得许可
refused-your-organization-owns-this-achievement = 此成果属于贵机构
refused-not-verified-to-publish = 贵机构尚未认证；平台管理员认证后方可发布
refused-not-the-owner-of-the-achievement = 只有所属机构可以进行此操作
refused-only-reviewers = 只有中心审核员可以进行此审核操作
refused-reviewer-own-organization = 审核员不能审核本机构的{ $what ->
        [achievement] 成果
       *[other] 需求
    }
refused-patent-number-listed = 专利号 { $number } 的成果已经发布
refused-patent-number-listed-elsewhere = 专利号 { $number } 已由其他机构发布
refused-rejection-window-passed = 按合同约定，买方只能在付款后 { $days } 天内拒绝里程碑
refused-already-signed = { $party ->
        [seller] 卖方
        [buyer] 买方
        [broker] 经纪人
       *[other] 此方
    }已签署此版本
refused-period-reported = { $period } 已申报
refused-inventor-answered = { $name } 已经答复
refused-buyer-not-in-default = 买方没有违约：没有里程碑在到期日后超过 { $days } 天仍未付款
refused-seller-not-in-default = 卖方没有违约：没有交付未通过验收并已退款
refused-offer-maker-cannot-answer = 报价须由另一方{ $action ->
        [accept] 接受
        [reject] 拒绝
       *[counter] 还价
    }，报价方本人不能操作
refused-offer-broker-cannot-answer = 只有另一方可以{ $action ->
        [accept] 接受
        [reject] 拒绝
       *[counter] 还价
    }报价；经纪人不能代替当事方作出约束
refused-inventors-may-claim-until = 发明人在 { $closes } 之前可以同等条件主张优先受让（《民法典》第 847 条）
refused-payment-provider = 支付服务商拒绝了此操作：{ $message }
refused-precheck-blockers = 合同预审发现阻断问题，不能登记：{ $findings }
refused-center-exists = 交易中心“{ $name }”（{ $id }）已经存在
refused-kind-does-not-list = { $kind ->
        [university] 高等院校
        [research_institute] 科研院所
        [enterprise] 企业
        [broker_agency] 技术转移服务机构
       *[center] 交易中心
    }不能发布科技成果
refused-kind-does-not-post = { $kind ->
        [university] 高等院校
        [research_institute] 科研院所
        [enterprise] 企业
        [broker_agency] 技术转移服务机构
       *[center] 交易中心
    }不能发布技术需求
