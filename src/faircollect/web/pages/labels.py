"""Chinese words for the codes the system stores (status, channel, party, outcome...).

One table for every page: a template writes ``{{ case.status | zh }}``.
"""

from __future__ import annotations

from collections.abc import Mapping

from faircollect.domain.casework.proposals import BORROWER_PREFIX

ZH: dict[str, str] = {
    # case status
    "open": "新案件",
    "contacted": "已联系",
    "promised": "已承诺",
    "promise_kept": "承诺已兑现",
    "promise_broken": "承诺未兑现",
    "hardship": "经济困难",
    "dispute": "有争议",
    "complaint": "投诉中",
    "legal": "诉讼",
    "with_agency": "委外中",
    "closed_paid": "已结清",
    "closed_settled": "已和解",
    "closed_written_off": "已核销",
    # stages and buckets
    "current": "正常",
    "pre_due": "逾期前",
    "early": "逾期前期",
    "intensive": "强力催收",
    # channels
    "call": "电话",
    "sms": "短信",
    "email": "电子邮件",
    "app_push": "App推送",
    "wechat": "微信",
    "letter": "信函",
    "lawyer_letter": "律师函",
    "visit": "外访",
    # parties
    "borrower": "借款人",
    "guarantor": "担保人",
    "emergency_contact": "紧急联系人",
    "spouse": "配偶",
    "other_contact": "其他联系人",
    "employer": "工作单位",
    "contact_list": "通讯录联系人",
    # outcomes
    "no_answer": "无人接听",
    "wrong_number": "号码错误",
    "borrower_reached": "联系到本人",
    "third_party_reached": "第三方接听",
    "third_party_answered": "他人代接",
    "promise": "承诺还款",
    "refusal": "拒绝还款",
    # reasons
    "forgot": "忘记还款",
    "income_drop": "收入下降",
    "unemployment": "失业",
    "illness": "疾病",
    "business_loss": "经营亏损",
    "disputes_debt": "对欠款有异议",
    "fraud_victim": "被骗",
    "many_debts": "多头借贷",
    "unwilling": "还款意愿低",
    # purposes
    "collect": "催收",
    "locate": "查找联系方式",
    "relay": "转告回电",
    "notify": "通知",
    # promises and proposals
    "kept": "已兑现",
    "partly_kept": "部分兑现",
    "broken": "未兑现",
    "pending": "待审批",
    "approved": "已批准",
    "rejected": "已拒绝",
    "plan": "分期",
    "waiver": "减免",
    "penalty": "罚息",
    "interest": "利息",
    # queue kinds
    "planned_action": "今日计划",
    "follow_up": "跟进",
    "promise_due": "承诺到期",
    "callback": "回电",
    # roles
    "collector": "催收员",
    "supervisor": "主管",
    "agency": "委外机构",
    "qa": "质检",
    "compliance": "合规",
    "admin": "管理员",
    # action statuses
    "planned": "已计划",
    "denied": "已拦截",
    "rescheduled": "已改期",
    "queued": "待发送",
    "sent": "已发送",
    "delivered": "已送达",
    "failed": "发送失败",
    "allowed": "已放行",
    # more outcomes and follow-ups
    "check_promise": "核对承诺",
    "retry": "再次拨打",
    "find_contact": "查找联系方式",
    "call_again": "再次致电",
    "supervisor_review": "主管复核",
    "review_hardship": "评估困难情况",
    "verify_debt": "核实债务",
    "handle_complaint": "处理投诉",
    # the first call: steps, answers, consequences
    "prepare": "准备",
    "confirm_identity": "确认身份",
    "state_identity": "表明身份",
    "ask_payment_today": "要求今天还款",
    "learn_reason": "了解原因",
    "explain_consequences": "讲清利弊",
    "obtain_promise": "得到承诺",
    "update_file": "更新催记",
    "end_call": "对方挂断",
    "pay_today": "同意今天还款",
    "cannot_today": "今天还不了",
    "none": "没有结果",
    "all": "以下全部已讲明",
    "ok": "继续",
    "credit_report": "报送征信",
    "future_credit": "影响今后信贷",
    "right_to_sue": "依法起诉的权利",
    # what the screener finds in notes and messages (质检)
    "violence_threat": "暴力威胁",
    "insult": "侮辱",
    "impersonation": "冒充公检法",
    "false_legal": "虚假法律后果",
    "third_party": "向第三方透露",
    "public_shaming": "公开羞辱",
    "harassment": "骚扰",
    "fee_demand": "以催收名义收费",
    "borrow_to_repay": "诱导借新还旧",
    # loans
    "equal_installment": "等额本息",
    "equal_principal": "等额本金",
    "interest_only": "先息后本",
    "bullet": "到期还本付息",
    "principal": "本金",
    "fee": "费用",
    "credit": "溢缴款",
    "contract": "原合同",
    "arrears": "欠款归集",
    "cash": "现金贷",
    # visits
    "confirm": "确认式上门",
    "breach": "毁约式上门",
    "met_borrower": "见到本人",
    "not_home": "不在家",
    "moved": "已搬走",
    "refused_to_meet": "拒绝见面",
    "address_confirmed": "地址已确认",
    # case history
    "opened": "立案",
    "status": "状态变更",
    "owner": "分案",
    "unassigned": "待分配",
    # agency statements
    "regular": "常规回款",
    "public_notice": "公开张贴",
}

CALL_ZH: dict[str, str] = {
    "borrower": "本人接听",
    "third_party": "非本人接听",
    "complaint": "客户投诉",
    "dispute": "客户有异议",
    "refusal": "拒绝还款",
    "hardship": "经济困难",
}
"""The first call's answer buttons, where the stored code's word reads wrong on a button."""


def call_zh(code: object) -> str:
    """A first-call answer as its button says it."""
    text = "" if code is None else str(code)
    return CALL_ZH.get(text) or zh(text)


FIELDS: dict[str, str] = {
    "amount": "金额",
    "due": "还款日期",
    "at": "联系时间",
    "channel": "渠道",
    "party": "联系对象",
    "number": "号码",
    "outcome": "结果",
    "reason": "逾期原因",
    "purpose": "目的",
    "note": "备注",
    "loan_id": "借据",
    "months": "期数",
    "annual_rate": "年利率",
    "first_due": "首期还款日",
    "component": "减免项目",
    "kind": "方案类型",
    "to": "分配给",
    "why": "原因",
    "month": "月份",
    "date": "日期",
    "status": "状态",
    "approve": "决定",
    "step": "步骤",
    "value": "回答",
    "q": "搜索",
    "page": "页码",
}
"""Form and query fields by name, for refusals that name the field."""


def _word(table: dict[str, str], code: object) -> str:
    """``code``'s entry in ``table``, or the code itself as text when it has none."""
    text = "" if code is None else str(code)
    return table.get(text, text)


def field_zh(name: object) -> str:
    """The Chinese name of a form field (the name itself when there is none)."""
    return _word(FIELDS, name)


def zh(code: object) -> str:
    """The Chinese word for a stored code (the code itself when there is none)."""
    return _word(ZH, code)


AUDIT_ACTIONS: dict[str, str] = {
    "call.finished": "首次催收电话结束",
    "call.started": "开始首次催收电话",
    "case.opened": "立案",
    "case.placed": "委外",
    "case.reassigned": "调整分案",
    "case.recalled": "收回委外",
    "case.status_changed": "案件状态变更",
    "contact.recorded": "记录催记",
    "gate.decided": "合规检查决定",
    "keys.resealed": "密钥重新封存",
    "keys.rotated": "密钥轮换",
    "letter.issued": "生成函件",
    "night.planned": "每晚作业",
    "organisation.loaded": "导入组织架构",
    "outbox.sent": "发出消息",
    "personal_data.anonymised": "个人信息匿名化",
    "personal_data.viewed": "查看个人信息",
    "promise.made": "记录还款承诺",
    "proposal.decided": "审批方案",
    "proposal.submitted": "提交方案",
    "retention.applied": "执行数据保留期限",
    "session.refused": "登录被拒",
    "session.signed_in": "登录",
    "session.throttled": "登录尝试过多",
    "user.password_set": "设置密码",
    "visit.planned": "安排外访",
    "visit.recorded": "记录外访",
}
"""The audit trail's actions as the audit page names them (the code is shown beside)."""


def audit_action(code: object) -> str:
    """An audit action's Chinese name (the code itself when there is none)."""
    return _word(AUDIT_ACTIONS, code)


def said(text: object) -> str:
    """A catalogue message (``domain.messages``) as the pages say it: in Chinese, codes in
    their words (a note on the true cost, a refusal); any other text as it is."""
    from faircollect.domain.messages import say

    if text is None:
        return ""
    return say(text if isinstance(text, str) else str(text), "zh", zh)


SYSTEM_ACTORS: dict[str, str] = {
    "system:nightly-run": "夜间批处理",
    "system": "系统自动",
}
"""The system's own actors as people read them: the nightly run
(``night_placements.NIGHT_ACTOR``: opens, places and recalls cases at night) and the
system acting outside it (``open_cases.SYSTEM``, ``promise_outcomes.SYSTEM``)."""


def who(actor: object, names: Mapping[str, str] | None = None) -> str:
    """Who did something, as people read it: a user's name (``names``: user id -> name),
    the nightly run as 夜间批处理, the borrower in the portal as 借款人本人; an id the
    organisation does not know (a user since removed) as it is."""
    text = "" if actor is None else str(actor)
    if text in SYSTEM_ACTORS:
        return SYSTEM_ACTORS[text]
    if text.startswith(BORROWER_PREFIX):
        return "借款人本人"
    name = (names or {}).get(text)
    return f"{name}（{text}）" if name else text
