// 流调溯源 (issue 17: exposure from scans, contacts and chains): kept apart from zh.js; merged under `tr`.
export default {
  menu: { exposure: '暴露排查' },
  contacts: {
    title: '密接与传播链', open: '密接登记与传播链', register: '登记密接', idNumber: '身份证号', phone: '手机号', findBy: '查找方式', kind: '接触方式', date: '接触日期',
    submit: '登记', list: '已登记的密接', none: '暂无登记的密接', until: '随访至 {date}', chain: '传播链', table: '链上人员', contactsOf: '密接 {n} 人', followUp: '每日随访率',
    followLine: '应随访 {due},已随访 {followed}', kinds: { household: '共同居住', work: '同事', gathering: '聚餐/聚会', transport: '同乘交通工具', medical: '就医/陪护', other: '其他' },
    hidden: '(辖区外)', saved: '已登记', already: '此前已登记',
  },
  exposure: {
    title: '检测点暴露排查',
    intro: '标记确诊病例到过的检测点和时段(或按病例本人的扫码记录),同时段及前后时段在这些检测点扫码的人员将收到提醒,并成为其所在社区的候选重点人员。重复排查不会重复添加。',
    caseId: '病例身份证号', idRule: '请输入 18 位身份证号', fromScans: '按病例本人扫码记录', windows: '到访检测点与时段',
    checkpoint: '检测点', start: '开始时间', end: '结束时间', addWindow: '增加时段', run: '开始排查',
    result: '排查结果', case: '病例', counts: '发现人员', countsLine: '共 {found} 人:密接 {close_contacts},同场所 {same_place};新增 {added}',
    cost: '读取', costLine: '{index_reads} 次索引查询,{scans_read} 条扫码记录', runs: '排查记录', runLine: '发现 {found} · 新增 {added}',
    noRuns: '暂无排查记录', done: '排查完成,新增 {added} 人',
  },
}
