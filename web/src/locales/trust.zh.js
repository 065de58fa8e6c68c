// 问责与透明 (issue 18: two-person rule, explanations, published rules): kept apart from zh.js; merged under `trust`.
export default {
  menu: { proposals: '人工赋码复核', record: '居民完整记录', grants: '紧急查阅督办', publicCounts: '公开统计' },
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
  timeline: {
    title: '我的数据时间线', link: '我的数据与查阅记录', intro: '平台记录的关于您和家人的每一项事实(申领、打卡、卡口通行、管控标记及其来源和理由、颜色变化及规则版本、申诉、比对命中),以及工作人员每一次查阅或操作您的记录(角色、单位、时间、原因)。',
    none: '暂无记录', more: '加载更多', all: '全部', accesses: '只看查阅记录', person: '人员', why: '原因', until: '有效期至',
    kinds: {
      registered: '登记', applied: '申领健康码', check_in: '每日打卡', scan: '卡口通行', hold_placed: '加注管控标记', hold_lifted: '解除管控标记',
      import_match: '比对名单命中', colour_change: '颜色变化', appeal: '申诉', staff_access: '工作人员查阅或操作', break_glass: '紧急查阅授权',
    },
  },
  record: {
    title: '居民完整记录', intro: '居民完整记录只有其所在社区负责人可直接查看;其他工作人员须先说明理由(紧急查阅),授权短时有效,全程留痕,并在居民本人的时间线中显示。',
    person: '人员编号', personHint: '24 位人员编号', open: '查看', needReason: '超出您的权限范围:须说明理由才能查看', reasonCode: '理由类别', justification: '具体理由',
    justificationHint: '至少 10 个字,居民本人可见', request: '申请紧急查阅', granted: '已授权,有效期至 {until}',
    reasons: { emergency_care: '紧急救治', epidemic_investigation: '流行病学调查', appeal_review: '申诉复核', supervision: '督查', legal_request: '依法调取' },
  },
  grants: {
    title: '紧急查阅督办', intro: '本区县工作人员超出权限范围查阅居民记录的每一次授权(谁、哪个单位、何时、为什么),最新的在前。',
    county: '区县', none: '没有紧急查阅记录', active: '有效中', expired: '已失效', count: '本页共 {n} 次,按单位:{units}',
  },
  publicCounts: {
    title: '公开统计', intro: '每天各单位人工改变健康码颜色的申请数、通过数、不予通过数,各区县收到的申诉数及在时限({hours} 小时)内办结和超时办结的数量,以及按表、按天统计的到期删除数量。不含任何个人信息。',
    suppressed: '少于 {n} 的数字不公布(显示为“<{n}”),以免指向具体的人。', since: '起', until: '止', manual: '人工赋码', appeals: '申诉', deletions: '到期删除报告',
    day: '日期', county: '区县', unit: '单位', proposed: '申请', approved: '通过', refused: '不予通过', received: '收到', inTime: '时限内办结', late: '超时办结',
    table: '数据表', deleted: '删除', none: '暂无数据',
  },
}
