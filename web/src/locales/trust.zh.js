// 问责与透明 (issue 18: two-person rule, explanations, published rules): kept apart from zh.js; merged under `trust`.
export default {
  menu: { proposals: '人工赋码复核' },
  proposals: {
    title: '人工赋码复核', intro: '人工改变健康码颜色(加注或解除管控标记)须由另一名有权限的工作人员复核通过后才生效;提出人不能复核自己的申请,申请过期作废。',
    pending: '待复核', approved: '已通过', refused: '未通过', expired: '已过期', county: '区县', none: '没有待复核的申请',
    place: '加注人工标记', lift: '解除管控标记', proposer: '提出人', expires: '有效期至', reason: '理由', evidence: '证据', bulk: '批量变更:须指挥部复核',
    approve: '复核通过', refuse: '不予通过', note: '复核意见', noteHint: '请写明意见(至少 2 个字)', mine: '本人提出,须由他人复核', done: '已处理',
    newTitle: '提出人工赋码申请', person: '人员编号', personHint: '24 位人员编号', action: '变更', color: '颜色', hold: '要解除的标记', holdHint: '例如 fever#declaration',
    reasonHint: '至少 4 个字', evidenceHint: '证据或核实情况(至少 4 个字)', submit: '提交申请', submitted: '已提交,待另一名工作人员复核',
    line: '{action} · {person} · {created}',
  },
  appeal: { liftProposed: '已提出解除申请,待另一名工作人员复核' },
}
