"""The message catalogue: the English and Chinese wording of every refusal key.

One place for the words. A layer raises ``Message(key, **params)`` (``domain.messages``);
the CLI says it in English (the first wording, the text ``str()`` gives), the workbench,
the API and the borrower portal in Chinese (the second). Placeholders and how each is
written (``{amount:yuan}``, ``{status:code}``...) are described in ``domain.messages``.

Chinese wording is short and polite, as a collections workbench or a borrower portal
says it: money in yuan with two decimals, dates as the pages show them (ISO), codes in
the workbench's words. A gate violation is said with its rule pack's Chinese title
(``gate.violation``): the pack holds the rules' texts, they are not repeated here.
``tests/unit/test_catalogue.py`` fails for a key used in the code and missing here.
"""

from __future__ import annotations

CATALOGUE: dict[str, tuple[str, str]] = {
    # promises to pay (承诺还款)
    "promise.amount_not_positive": (
        "promise on {loan_id}: amount must be positive",
        "承诺还款金额必须大于 0",
    ),
    "promise.due_before_made": (
        "promise on {loan_id}: due {due} is before it was made {made_on}",
        "承诺还款日（{due}）不能早于承诺当天（{made_on}）",
    ),
    "promise.due_too_far": (
        "promise on {loan_id}: due {due} is more than {days} days after {made_on};"
        " propose an instalment plan instead",
        "承诺还款日（{due}）距今超过 {days} 天，请改为提交分期方案",
    ),
    "promise.below_minimum": (
        "PTP-1: {amount:yuan} yuan is less than the minimum promise of {floor:yuan} yuan",
        "PTP-1：承诺金额 {amount:yuan} 元低于最低承诺金额 {floor:yuan} 元",
    ),
    "promise.above_owed": (
        "PTP-1: {amount:yuan} yuan is more than the {ceiling:yuan} yuan lawfully owed",
        "PTP-1：承诺金额 {amount:yuan} 元超过依法应还的 {ceiling:yuan} 元",
    ),
    "promise.due_beyond_horizon": (
        "PTP-1: due {due} is more than {days} days after {made_on} (latest {latest})",
        "PTP-1：承诺还款日 {due} 超过 {days} 天期限，最晚为 {latest}",
    ),
    "promise.made_after_today": (
        "promise on {loan_id}: made on {made_on}, after today ({today})",
        "承诺日期 {made_on} 晚于今天（{today}）",
    ),
    "promise.refused": ("promise on {loan_id} refused", "借据 {loan_id} 的还款承诺未能记录"),
    # home visits (外访)
    "visit.no_notice": (
        "{rule} visit {visit_id}: no notice letter was sent before the visit",
        "{rule}：外访前尚未寄送外访通知函",
    ),
    "visit.notice_late": (
        "{rule} visit {visit_id}: notice letter sent {sent}, needs {days} day(s)"
        " before {planned_on}",
        "{rule}：外访通知函于 {sent} 寄出，须在外访日 {planned_on} 前至少 {days} 天寄出",
    ),
    "visit.staff_twice": (
        "{rule} visit {visit_id}: a staff member is listed twice",
        "{rule}：外访人员名单中有人重复",
    ),
    "visit.staff_count": (
        "{rule} visit {visit_id}: {staff} staff, must be {low}-{high}",
        "{rule}：外访人员为 {staff} 人，须为 {low}–{high} 人",
    ),
    "visit.not_identified": (
        "{rule} visit {visit_id}: staff must identify themselves",
        "{rule}：外访人员须主动表明身份",
    ),
    "visit.not_recorded": (
        "{rule} visit {visit_id}: the visit must be recorded",
        "{rule}：外访须全程录音录像",
    ),
    "visit.no_address": (
        "{rule} visit {visit_id}: field 'address' is empty",
        "{rule}：请填写外访地址",
    ),
    "visit.workplace": (
        "SOFT-1 visit {visit_id}: a visit at the borrower's workplace exposes the"
        " debt to colleagues; only with the borrower's consent",
        "SOFT-1：到借款人单位外访会向同事暴露债务，须经借款人同意",
    ),
    "visit.refused": ("visit {visit_id} refused", "外访 {visit_id} 未能安排"),
    "visit.outcome_mismatch": (
        "outcome is for visit {visit_id} / case {case_id}",
        "该外访结果属于外访 {visit_id}（案件 {case_id}）",
    ),
    "visit.started_naive": (
        "field 'started_at' must be timezone-aware",
        "外访开始时间须带时区",
    ),
    "visit.other_day": (
        "visit took place {on}, planned {planned_on}",
        "外访实际日期 {on} 与计划日期 {planned_on} 不一致",
    ),
    "visit.other_staff": (
        "{rule}: staff present {staff} are not the planned staff",
        "{rule}：到场人员（{staff:list}）与计划的外访人员不一致",
    ),
    "visit.no_recording": (
        "{rule}: field 'recording_ref' is empty: the visit must be recorded",
        "{rule}：请填写录音录像编号，外访须全程录音录像",
    ),
    "visit.outcome_refused": ("visit {visit_id} outcome refused", "外访 {visit_id} 的结果未能记录"),
    # contact records (催记)
    "contact.at_naive": (
        "contact {record_id}: field 'at' must be timezone-aware",
        "联系时间须带时区",
    ),
    "contact.no_number": ("contact {record_id}: field 'number' is empty", "请填写联系号码"),
    "contact.no_actor": ("contact {record_id}: field 'actor' is empty", "催记须有记录人"),
    "contact.outcome_needs_debtor": (
        "contact {record_id}: outcome '{outcome}' needs the borrower or guarantor reached,"
        " party is '{party}'",
        "结果“{outcome:code}”须联系到借款人或担保人，联系对象却是{party:code}",
    ),
    "contact.third_party_is_debtor": (
        "contact {record_id}: outcome 'third_party_reached' but party is '{party}'",
        "结果为“第三方接听”，联系对象却是{party:code}",
    ),
    "contact.outcome_needs_debtor_number": (
        "contact {record_id}: outcome '{outcome}' is for a call to the borrower's or a"
        " guarantor's number, party is '{party}'",
        "结果“{outcome:code}”只适用于拨打借款人或担保人的号码，联系对象却是{party:code}",
    ),
    "contact.reason_needs_debtor": (
        "contact {record_id}: a delinquency reason is only learned from a debtor,"
        " outcome is '{outcome}'",
        "逾期原因只能从借款人或担保人处了解，本次结果是“{outcome:code}”",
    ),
    "contact.other_case": (
        "contact {record_id} is for case {case_id}",
        "该催记属于案件 {case_id}",
    ),
    "contact.paused": (
        "case {case_id} is in status '{status}': contact is paused",
        "案件 {case_id} 处于“{status:code}”状态，暂停催收联系",
    ),
    "contact.refused": ("contact {record_id} refused", "催记未能保存"),
    "contact.signed_by_other": (
        "contact {record_id} is signed by {signer}, acting user is {user_id}",
        "该催记的记录人是 {signer}，不是当前用户 {user_id}",
    ),
    # proposals (分期 / 减免)
    "proposal.borrower_plan_only": (
        "proposal {proposal_id}: a borrower asks only for a plan",
        "借款人只能申请分期",
    ),
    "proposal.waiver_not_positive": (
        "proposal {proposal_id}: waiver amount must be positive fen",
        "减免金额必须大于 0",
    ),
    "proposal.months": (
        "proposal {proposal_id}: months must be 1-{high}, got {got}",
        "分期期数须为 1–{high} 期（填写的是 {got}）",
    ),
    "proposal.rate_negative": (
        "proposal {proposal_id}: annual_rate must not be negative",
        "年利率不能为负数",
    ),
    "proposal.first_due_not_after": (
        "proposal {proposal_id}: first_due {first_due} must be after {on}",
        "首期还款日（{first_due}）须晚于 {on}",
    ),
    "proposal.first_due_too_far": (
        "proposal {proposal_id}: first_due {first_due} is more than {days} days after {on}",
        "首期还款日（{first_due}）距 {on} 不能超过 {days} 天",
    ),
    "proposal.own": (
        "{user_id} may not decide their own proposal",
        "不能审批自己提交的方案",
    ),
    "proposal.decided": (
        "proposal {proposal_id} is already {status}",
        "方案 {proposal_id} 已{status:code}，不能再审批",
    ),
    "proposal.no_reason": (
        "proposal {proposal_id}: a decision needs a reason",
        "请填写审批意见",
    ),
    "proposal.position_mismatch": (
        "proposal {proposal_id}: position is for {loan_id} on {as_of}, need {need} on {on}",
        "方案 {proposal_id} 的账户数据不是借据 {need} 在 {on} 的数据",
    ),
    "proposal.waiver_exceeds": (
        "proposal {proposal_id}: waiver of {amount} fen {component} exceeds the {cap} fen unpaid",
        "该减免超过未还金额：{component:code}减免 {amount:yuan} 元，未还仅 {cap:yuan} 元",
    ),
    "proposal.no_principal": (
        "proposal {proposal_id}: no principal outstanding",
        "该借据已无未还本金，无需分期",
    ),
    # roles and permissions
    "role.may_not": ("{user_id} ({role}) may not {doing}", "您的角色（{role:code}）无权{doing}"),
    "permission.record_contact": ("record contact", "记录催记"),
    "permission.submit_proposal": ("submit proposal", "提交分期或减免方案"),
    "permission.decide_proposal": ("decide proposal", "审批方案"),
    "permission.place_case": ("place case", "委外或收回案件"),
    "permission.plan_visit": ("plan visit", "安排外访"),
    "permission.change_status": ("change status", "变更案件状态"),
    "permission.assign_case": ("assign case", "调整分案"),
    "permission.decide_case": ("decide case", "作出结案、核销、诉讼或委外决定"),
    # agencies (委外)
    "agency.already_placed": (
        "case {case_id} is already placed with {agency_id} ({placement_id}); recall it first",
        "案件 {case_id} 已委外给 {agency_id}，请先收回",
    ),
    "agency.already_recalled": (
        "placement {placement_id} was recalled on {on}",
        "该委外已于 {on} 收回",
    ),
    "agency.recall_too_early": (
        "placement {placement_id}: recall {on} is not after placement {placed_on}",
        "收回日期（{on}）须晚于委外日期（{placed_on}）",
    ),
    "agency.no_access": (
        "{user_id} (agency {agency_id}) has no access to case {case_id} on {day}",
        "您所在的委外机构无权处理案件 {case_id}",
    ),
    "agency.month": (
        "statement month must be 1-12, got {month}",
        "月份须为 1–12（填写的是 {month}）",
    ),
    # cases (案件)
    "case.no_reason": ("case {case_id}: a status change needs a reason", "变更案件状态须填写原因"),
    "case.transition": (
        "case {case_id}: cannot go from {status} to {to} (allowed: {allowed:list})",
        "案件不能从“{status:code}”变为“{to:code}”（可变为：{allowed:codes}）",
    ),
    "case.transition_closed": (
        "case {case_id}: cannot go from {status} to {to} (allowed: none (closed))",
        "案件已结案（{status:code}），状态不能再变更",
    ),
    "case.closed": (
        "case {case_id} is closed ({status})",
        "案件 {case_id} 已结案（{status:code}）",
    ),
    "case.other_case": (
        "command for case {case_id} applied to case {other}",
        "操作针对的是案件 {case_id}，不是案件 {other}",
    ),
    "case.no_loan": ("case {case_id}: a case needs at least one loan", "案件至少要有一笔借据"),
    "case.loan_twice": ("case {case_id}: a loan is listed twice", "案件中有借据重复"),
    "case.signed_by_other": (
        "command signed by {signer}, acting user is {user_id}",
        "该操作的签署人是 {signer}，不是当前用户 {user_id}",
    ),
    "qa.rate": (
        "sample rate must be between 0 and 1, got {rate}",
        "抽检比例须在 0 到 1 之间（填写的是 {rate}）",
    ),
    # the first call (首次催收电话)
    "call.ended": ("the call has ended; no more answers", "通话已结束，不能再作答"),
    "call.unknown_step": (
        "unknown step '{step}' (steps: {steps:list})",
        "没有“{step}”这一步",
    ),
    "call.other_step": (
        "expected an answer for step '{expected}', got '{step}'",
        "当前步骤是“{expected:code}”，收到的是“{step:code}”的回答",
    ),
    "call.not_ended": (
        "the call has not ended (at step '{step}')",
        "通话尚未结束（当前步骤：{step:code}）",
    ),
    "call.not_a_choice": (
        "step '{step}': answer {value} is not one of {allowed:list}",
        "“{step:code}”这一步请选择：{allowed:codes}",
    ),
    "call.consequences_list": (
        "step '{step}': give a list of consequences",
        "“{step:code}”：请选择已讲明的后果",
    ),
    "call.false_consequence": (
        "step '{step}': not a true consequence for this account: {false:list}",
        "“{step:code}”：以下后果对该账户并不属实，不能讲：{false:codes}",
    ),
    "call.promise_shape": ("step '{step}': give amount and due", "请填写承诺金额和还款日期"),
    "call.promise_unreadable": (
        "step '{step}': a promise needs amount (yuan) and due (YYYY-MM-DD): {error}",
        "承诺还款须填写金额（元）和还款日期（例如 2026-03-10）",
    ),
    "call.promise_refused": ("step '{step}': {problems:clauses}", "{problems:clauses}"),
    "call.note_text": ("step '{step}': the note is a text", "备注须为文字"),
    "call.no_answer": ("answers: no answer for step '{step}'", "缺少“{step:code}”这一步的回答"),
    "call.answers_refused": ("{source}: answers refused", "{source}：通话回答文件有误"),
    "call.answers_not_mapping": (
        "{source}: expected a mapping step: answer",
        "{source}：应为“步骤: 回答”的映射",
    ),
    "call.has_ended": (
        "call {call_id} has ended (催记 {record_id})",
        "该通话已结束（催记 {record_id}）",
    ),
    "call.not_found": ("no call '{call_id}'", "未找到该通话"),
    "call.refused": ("call on case {case_id} refused", "合规检查不允许拨打这通电话"),
    # files the CLI reads
    "file.not_yaml": ("{source}: not valid YAML", "{source}：不是有效的 YAML 文件"),
    "file.too_deep": ("nested too deeply", "嵌套层级过深"),
    "script.refused": ("{source}: script refused", "{source}：话术文件有误"),
    "script.screened": (
        "{source}: script wording refused by the screener",
        "{source}：话术中有质检模型判定不合规的措辞",
    ),
    "contact.on_case_refused": ("contact on case {case_id} refused", "催记未能保存"),
    "contact.at_outside_case": (
        "field 'at': {at} is not between the day the case was opened ({opened})"
        " and the end of today ({today})",
        "联系时间须在立案日（{opened}）到今天（{today}）之间",
    ),
    "contact.not_planned_action": (
        "action '{action_id}' is not a planned {channel} on case {case_id}"
        " still to be done by {user_id}",
        "该任务不是本案件中由您待办的{channel:code}计划",
    ),
    "case.loan_not_in_case": (
        "loan '{loan_id}' is not in case {case_id}",
        "借据 {loan_id} 不属于本案件",
    ),
    "case.loan_not_in_this_case": (
        "loan '{loan_id}' is not in this case ({loan_ids:list})",
        "借据 {loan_id} 不属于本案件（本案件借据：{loan_ids:list}）",
    ),
    "case.not_found": ("no case '{case_id}'", "未找到该案件，或您无权查看该案件"),
    "case.sort": ("sort: '{name}' is not one of {sorts:list}", "不能按“{name}”排序"),
    "case.page": (
        "page must be at least 1 and size between 1 and {high}",
        "页码须从 1 开始，每页 1–{high} 条",
    ),
    "case.not_collector": ("'{user_id}' is not a collector", "{user_id} 不是催收员"),
    "case.not_your_team": ("{user_id} is not in your team", "{user_id} 不在您的团队"),
    "case.reassign_no_reason": ("a reassignment needs a reason", "调整分案须填写原因"),
    "case.with_agency": (
        "case {case_id} is with {holder}: recall it first",
        "案件 {case_id} 正由委外机构 {holder} 处理，请先收回",
    ),
    "gate.violation": ("{rule}: {reason}", "{rule}：{title}"),
    "borrower.not_found": ("no borrower '{borrower_id}'", "未找到该借款人"),
    "loan.not_found": ("no loan '{loan_id}'", "未找到借据 {loan_id}，或您无权查看"),
    "user.not_found": ("no user '{user_id}'", "未找到用户 {user_id}"),
    "visit.agency_not_allowed": (
        "{user_id}: the lender does not allow agencies to make home visits",
        "放贷机构不允许委外机构上门外访",
    ),
    "visit.on_case_refused": ("visit on case {case_id} refused", "外访未能安排"),
    "visit.not_found": ("no visit '{visit_id}'", "未找到该外访"),
    "visit.has_outcome": (
        "visit {visit_id} already has an outcome ({outcome})",
        "该外访已记录结果（{outcome:code}）",
    ),
    "proposal.not_found": ("no proposal '{proposal_id}'", "未找到该方案"),
    "permission.run_qa": ("run quality inspection", "进行质检"),
    "agency.not_found": ("no agency '{agency_id}'", "未找到委外机构 {agency_id}"),
    "agency.not_placed": ("case {case_id} is not placed with an agency", "案件 {case_id} 没有委外"),
    "agency.other_statement": (
        "{user_id} (agency {own}) may not see {agency_id}'s statement",
        "您无权查看其他委外机构的结算单",
    ),
    "agency.name_it": ("name the agency whose desk to show", "请选择要查看的委外机构"),
    # letters (函件)
    "letter.not_overdue": (
        "loan {loan_id} is not overdue as of {as_of}",
        "借据 {loan_id} 截至 {as_of} 没有逾期，不能发函",
    ),
    "letter.no_law_firm": (
        "no law firm is configured (law_firm in the lender configuration): a lawyer "
        "letter never goes out in the name of a firm that was not instructed",
        "尚未配置受托律师事务所，不能以未受委托的律所名义发出律师函",
    ),
    "letter.illegal_debt": (
        "CRIM-1: loan {loan_id} is an illegal debt; no {kind} (coercive means) may be sent for it",
        "CRIM-1：借据 {loan_id} 属于非法债务，不得发送{kind:code}等施压函件",
    ),
    "letter.refused": ("{title} for {loan_id}", "借据 {loan_id} 的{title}未能生成"),
    "letter.screened": (
        "screener: {rule} ({label}) in '{evidence}'",
        "质检发现不当措辞：{rule}（{label:code}）“{evidence}”",
    ),
    "letter.denied": ("letter on {loan_id}", "合规检查不允许发出该函件"),
    "letter.not_found": ("no letter '{letter_id}'", "未找到该函件"),
    "letter.agency": (
        "{user_id} (agency) may not {doing} the lender's letters",
        "委外机构不能{doing}放贷机构的函件",
    ),
    "letter.issue": ("issue", "生成"),
    "letter.read": ("read", "查看"),
    "loan.rate_table": ("loan {loan_id}: {error}", "借据 {loan_id} 的利率上限无法确定：LPR 表有误"),
    "permission.read_day_reports": ("read the day's reports", "查看每日报表"),
    "permission.read_manager_reports": ("read the managers' reports", "查看管理报表"),
    "permission.read_complaints": ("read complaints", "查看投诉"),
    "permission.close_complaints": ("close complaints", "答复并关闭投诉"),
    # the borrower's payments (还款)
    "payment.refused": ("payment refused", "还款未能发起"),
    "payment.at_least_fen": ("amount: at least 0.01", "还款金额至少为 0.01 元"),
    "payment.more_than_owed": (
        "amount: more than the loan still owes",
        "还款金额超过了该笔借款尚欠的金额",
    ),
    "payment.webhook_refused": ("webhook refused", "支付通知未被接受"),
    "payment.not_an_event": ("body: not a payment event ({error})", "通知内容不是支付事件"),
    "payment.gateway_id_length": (
        "gateway_payment_id: 1 to 48 characters",
        "支付流水号须为 1–48 个字符",
    ),
    "payment.not_found": ("no payment '{intent_id}'", "未找到该笔还款"),
    "payment.paid_by_other": (
        "intent_id: already paid by another payment",
        "该笔还款已由另一笔支付完成",
    ),
    "payment.confirms_other": (
        "gateway_payment_id: confirms another payment",
        "该支付流水号已用于确认另一笔还款",
    ),
    "payment.status": ("status: '{status}' confirms nothing", "支付状态“{status}”不能确认还款"),
    "payment.other_amount": ("amount: not the amount of the payment", "支付金额与该笔还款不符"),
    "payment.paid_on": ("paid_on: not a date", "还款日期无效"),
    # complaints (投诉)
    "complaint.no_text": ("text: say what the complaint is about", "请说明您要投诉的内容"),
    "complaint.text_long": ("text: at most {high} characters", "投诉内容最多 {high} 个字"),
    "complaint.evidence_long": (
        "evidence_text: at most {high} characters",
        "证据说明最多 {high} 个字",
    ),
    "complaint.refused": ("complaint refused", "投诉未能提交"),
    "complaint.not_found": ("no complaint '{complaint_id}'", "未找到该投诉"),
    "complaint.closed": ("complaint {complaint_id} is closed", "投诉 {complaint_id} 已关闭"),
    "complaint.already_closed": ("the complaint is already closed", "该投诉已答复并关闭"),
    "complaint.answer_refused": ("answer refused", "答复未能提交"),
    "complaint.no_answer": ("answer: the borrower is owed an answer", "请填写给借款人的答复"),
    "complaint.answer_long": ("answer: at most {high} characters", "答复最多 {high} 个字"),
    "contact.not_found": ("no contact '{contact_id}'", "未找到该次联系记录"),
    # the borrower's plan requests (分期申请)
    "plan.refused": ("plan request refused", "分期申请未能提交"),
    "plan.not_collected": (
        "loan_id: this loan is not being collected; contact the lender to change it",
        "该笔借款目前不在催收中，如需调整还款安排，请联系放贷机构",
    ),
    "plan.waiting": (
        "loan_id: a plan for this loan is already waiting",
        "该笔借款已有一份分期申请在等待审批",
    ),
    # pages, dates, users
    "page.not_found": ("no such page", "页面不存在"),
    "dates.to_before_from": (
        "to ({until}) is before from ({since})",
        "结束日期 {until} 早于开始日期 {since}",
    ),
    "user.unknown": (
        "unknown user '{user_id}' (load users with 'faircollect user load')",
        "未知用户 {user_id}",
    ),
    # managers' reports (管理报表): worded for the CLI's options, the page names its fields
    "report.no_nights": (
        "{option}: no stored nights yet — run the night first (run-day)",
        "还没有保存的夜间数据：请先运行每晚作业（run-day）",
    ),
    "report.no_states": (
        "{option}: no states stored for {day} (stored: {count} nights, {first} to {last})",
        "{day} 没有保存的账户状态（已保存 {count} 天：{first} 至 {last}）",
    ),
    "report.one_date": (
        "--from/--to: {name} is as of one date; use --date",
        "这张报表只看一个日期：请只填写日期",
    ),
    "report.two_dates": (
        "--from/--to: {name} needs two dates, --from D1 --to D2 (D1 < D2)",
        "这张报表比较两个日期：请填写开始和结束日期，开始早于结束",
    ),
    "report.from_not_before_to": (
        "--from/--to: --from {start} is not before --to {end}",
        "开始日期 {start} 应早于结束日期 {end}",
    ),
    "report.not_found": ("no report {name}", "没有这张报表"),
    # the true cost's notes (借款真实年化成本)
    "cost.kantou": (
        "砍头息 {deducted:yuan} deducted up front: the lawful principal is the"
        " {received:yuan} actually received (KANTOU-1)",
        "预先扣除砍头息 {deducted:yuan} 元：依法按实际到手的 {received:yuan} 元"
        "计算本金（KANTOU-1）",
    ),
    "cost.licensed_cap": (
        "licensed lender: exempt from the 4 x LPR private-lending cap (RATE-1s);"
        " total cost cap {cap} applies (RATE-2)",
        "持牌机构：不适用民间借贷 4 倍 LPR 上限（RATE-1s）；"
        "适用综合融资成本上限 {cap:percent}（RATE-2）",
    ),
    "cost.private_cap": (
        "private lending: cap 4 x one-year LPR {lpr} on {on} = {cap} (RATE-1)",
        "民间借贷：上限为合同成立日（{on}）一年期 LPR {lpr:percent} 的 4 倍，"
        "即 {cap:percent}（RATE-1）",
    ),
    "cost.lpr_stale": (
        "the LPR table's last row is {last}: a later LPR change is not in it and not verified"
        " (the operator updates data/lpr.csv)",
        "LPR 表的最后一行是 {last}：之后的 LPR 调整不在表中，未经核实（由运维更新 data/lpr.csv）",
    ),
    "cost.rate_above_cap": (
        "contract rate {rate} is above the cap {cap}: lawful interest at {cap} ({rule})",
        "合同利率 {rate:percent} 超过上限 {cap:percent}：依法按 {cap:percent} 计息（{rule}）",
    ),
    "cost.fee_cut": (
        "服务费 {fee:yuan} per installment cut to {lawful:yuan}: interest + fees must stay"
        " within the {cap} total cost cap ({rule})",
        "每期服务费 {fee:yuan} 元依法降为 {lawful:yuan} 元：利息与费用合计不得超过综合成本上限"
        " {cap:percent}（{rule}）",
    ),
    # the API's own checks of a request
    "input.waiver_fields": ("a waiver needs component and amount", "减免须填写减免项目和金额"),
    "input.plan_fields": ("a plan needs months and first_due", "分期须填写期数和首期还款日"),
    "input.rate_decimal": ("not a decimal rate such as 0.12", "年利率须为小数，例如 0.12"),
    "input.rate_range": (
        "a rate between 0 and 1, such as 0.12",
        "年利率须在 0 到 1 之间，例如 0.12",
    ),
    "input.choice": (
        "'{value}' is not one of {allowed:list}",
        "“{value}”无效，请选择：{allowed:codes}",
    ),
    "input.time_offset": (
        "a time needs its offset, e.g. 2026-12-02T10:30:00+08:00",
        "时间须带时区，例如 2026-12-02T10:30:00+08:00",
    ),
    "input.income": ("an amount of at least 0.00", "金额不能小于 0.00"),
    "input.amount": ("{error}", "不是有效的金额（元，最多两位小数，例如 1234.56）"),
}
