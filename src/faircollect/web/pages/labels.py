"""Chinese words for the codes the system stores (status, channel, party, outcome...).

One table for every page: a template writes ``{{ case.status | zh }}``.
"""

from __future__ import annotations

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
}


def zh(code: object) -> str:
    """The Chinese word for a stored code (the code itself when there is none)."""
    text = "" if code is None else str(code)
    return ZH.get(text, text)
