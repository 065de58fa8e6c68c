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
  explanation: {
    title: '赋码依据', intro: '健康码颜色只由已记录的事实决定:规则版本、申领日、每天的打卡、以及每个管控标记的来源和理由。下面列出这些事实,并用它们重新计算颜色。',
    color: '当前颜色', ruleColor: '规则颜色(不含标记)', rule: '规则版本 {version}',
    thresholds: '{yellow_after_missed_days} 天未打卡转黄码;{red_after_missed_days} 天未打卡转红码;红码连续打卡 {green_after_checkin_days} 天转绿码(自 {valid_from} 起施行)',
    recomputed: '按事实重新计算', matches: '与当前颜色一致', differs: '与当前颜色不一致,请申诉', facts: '已记录的事实', appliedOn: '申领日',
    checkinDays: '打卡日({n} 天)', none: '无', holds: '管控标记(含已解除)', noHolds: '没有管控标记', changes: '颜色变化', link: '为什么是这个颜色?',
  },
  appeal: { liftProposed: '已提出解除申请,待另一名工作人员复核' },
}
