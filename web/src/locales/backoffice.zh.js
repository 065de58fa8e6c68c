// 后台工作台 (issue 14: staff screens): kept apart from zh.js to limit merge conflicts; merged under `bo`.
export default {
  menu: { comparison: '名单比对', caseTrips: '病例行程', commandCentre: '指挥中心大屏', articles: '宣传稿件', staffAccounts: '工作人员账号', checkpoints: '检测点设置', resumptionReview: '复工审批', suppliesOffice: '物资调度', supplyRequests: '物资申领' },
  items: {
    masks: '口罩', protective_suits: '防护服', goggles: '护目镜', disinfectant: '消毒液', grain_oil: '粮油', vegetables: '蔬菜', meat: '肉类', eggs: '蛋类', milk: '奶类',
  },
  tiers: { frontline_medical: '一线医疗', frontline_prevention: '一线防控', return_to_work: '复工复产', aid_other_regions: '对外援助' },
  unitKinds: { community: '村(社区)', department: '部门/医疗机构', enterprise: '企业', external: '外地受援方' },
  inboundKinds: { donation: '捐赠', procurement: '采购' },
  requestStates: { open: '待分配', partly_allocated: '部分分配', allocated: '已分配', dispatched: '已发运', received: '已签收' },
  lineStates: { allocated: '待发运', dispatched: '已发运,待签收', received: '已签收' },
  supplies: {
    title: '物资调度', stockTab: '库存', warehousesTab: '仓库', inboundTab: '入库', requestsTab: '申领', runTab: '调配',
    cityAlertLine: '各仓库均无库存(阈值 {threshold}),可用 {available}', alerts: '库存预警', noAlerts: '暂无低于阈值的库存', low: '低于阈值', alertLine: '{warehouse}:可用 {available},阈值 {threshold}', itemLine: '可用 {available} · 已分配待发 {reserved} · 阈值 {threshold}({unit})',
    threshold: '预警阈值', setThreshold: '设置 {item} 的预警阈值', warehouse: '仓库', newWarehouse: '新增仓库', warehouseName: '仓库名称', address: '地址', county: '区县',
    stockOf: '{name} 的库存', noStock: '该仓库暂无库存', item: '物资', quantity: '数量', kind: '来源类型', source: '捐赠方/供应商', reference: '票据/证书编号', bookIn: '登记入库',
    inboundLine: '{kind} · {source} · {quantity}', pickItem: '选择物资', pickWarehouse: '选择仓库', requestLine: '{unit} · {tier} · 申领 {quantity},待分配 {outstanding} · {needed}前', late: '已逾期',
    release: '本次放出数量', releaseHint: '选填,默认全部可用库存', preview: '预览分配结果', previewTitle: '按"一线优先"的分配预览(尚未提交)', commit: '确认调配',
    previewLine: '{tier} · 待分配 {outstanding} → 分配 {quantity}', previewSummary: '放出 {released},分配 {allocated},剩余 {left}', runs: '调配记录', runLine: '{at} · 分配 {allocated}',
    noWarehouse: '请先新增仓库', fillFirst: '请先填写完整',
  },
  run: {
    title: '调配详情', summary: '放出 {released},分配 {allocated},剩余库存 {left}', dispatch: '出库发运', carrier: '车辆/承运人', carrierHint: '例如 豫M·12345', dispatched: '已发运',
    nothing: '本次未分配给该申领', given: '各申领的分配与发运',
  },
  requests: {
    title: '物资申领', unit: '申领单位', unitKind: '单位类型', unitId: '单位编号', unitName: '单位名称', tier: '优先级', neededBy: '需要日期', purpose: '用途', submit: '提交申领',
    mine: '本单位的申领', ledger: '台账:分配 {allocated} · 发运 {dispatched} · 签收 {received}', sign: '签收', received: '实收数量', signed: '已签收', shortfall: '短少 {n}',
    lineLine: '{status} · {quantity}', noUnit: '您的账号没有可申领的单位', pickUnit: '查看',
  },
  ent: {
    latest: '最近一次申请:{date} 复工', note: '审批意见:{note}', apply: '申请复工', plannedDate: '计划复工日期', measures: '防控措施', beds: '隔离观察室床位',
    maskDays: '口罩储备(天)', description: '防控方案说明', required: '每日测温、佩戴口罩、定时消毒、上岗验码为必备措施。', submit: '提交复工申请', applied: '已提交,等待指挥部审批',
    addEmployee: '添加返岗员工', name: '姓名', idNumber: '身份证号', add: '添加', removeOne: '删除 {name}', removeHint: '该员工将从本企业名单中移除。',
  },
  measures: {
    temperature_checks: '每日测温', masks: '佩戴口罩', disinfection: '定时消毒', health_code_check: '上岗验码', isolation_room: '设立隔离观察室', staggered_shifts: '错峰上下班',
    separate_meals: '分餐错峰就餐', ventilation: '通风换气', closed_management: '封闭管理', visitor_registration: '外来人员登记',
  },
  industries: {
    agriculture: '农林牧渔业', mining: '采矿业', manufacturing: '制造业', food_processing: '农副食品加工', pharmaceutical: '医药制造', energy: '电力、热力、燃气', construction: '建筑业',
    logistics: '交通运输、仓储和邮政', wholesale_retail: '批发和零售', services: '服务业',
  },
  review: {
    title: '复工审批', all: '全部', aboveScale: '规上企业', register: '登记企业', creditCode: '统一社会信用代码', name: '企业名称', industry: '行业', roster: '返岗员工',
    rosterLine: '绿码 {green} / 共 {total} 人', plan: '防控方案({date} 复工)', reason: '审批意见', reasonHint: '驳回时必填,企业可见', approve: '批准复工', reject: '驳回',
    reasonRequired: '驳回须填写理由', approved: '已批准', rejected: '已驳回',
  },
  auth: {
    forgot: '忘记密码', forgotTitle: '重置密码', sendCode: '获取验证码', reset: '重置并登录', codeSent: '验证码已发送至 {to}', newPasswordTitle: '首次登录:请设置新密码',
    newPasswordNote: '您的账号由管理员创建,使用的是临时密码。请设置只有您知道的新密码。', newPassword: '新密码', again: '再次输入', mismatch: '两次输入的密码不一致',
    setAndSignIn: '设置并登录',
  },
  staff: {
    title: '工作人员账号', intro: '为工作人员创建账号:角色决定可用的功能,范围决定可见的数据。', temporaryPassword: '临时密码', role: '角色', cityWide: '全市(不限区县)', create: '创建账号',
    created: '本次创建的账号', firstSignIn: '对方首次登录时须用临时密码登录并设置自己的新密码。',
    accounts: '现有账号', none: '该角色暂无账号', enabled: '启用中', disabled: '已停用', state: '账号状态', change: '修改账号 {username}', save: '保存角色与范围',
    signedOut: '修改或停用后,该账号在所有设备上退出登录;已签发的登录凭证最长 60 分钟后失效。', disable: '停用账号', enable: '重新启用', disableConfirm: '停用后 {username} 将无法登录,确定停用吗?',
    disabledDone: '账号已停用', enabledDone: '账号已启用',
  },
  cp: {
    title: '检测点设置', active: '启用中', closed: '已关闭', create: '新建检测点', name: '检测点名称', kind: '类型', entrances: '出入口', entrancesHint: '多个用逗号分隔,如 东门,西门',
    place: '位置说明', latitude: '纬度', longitude: '经度', edit: '修改检测点', save: '保存修改', staff: '本检测点工作人员', assign: '分配工作人员账号',
  },
  cpKinds: {
    village_entrance: '村口', residential_compound: '小区门口', highway_exit: '高速出口', station: '车站', market: '农贸市场/商超', enterprise: '企业', hospital: '医院', public_building: '机关/公共场所',
  },
  art: {
    title: '宣传稿件', new: '新建稿件', revisionWaiting: '修改待审核', returned: '审核退回:{note}', editGoesToReview: '已发布的稿件修改后须重新审核,审核通过前公众仍看到现在的内容。',
    revision: '{by} 提交的修改(待审核)', live: '当前公开的内容', kind: '类别', heading: '标题', summary: '摘要', body: '正文', source: '发布单位', rebuts: '所辟谣言',
    save: '保存草稿', saveRevision: '保存修改并送审', revisionSaved: '修改已送审,公众仍看到原内容', submit: '送审', secondPerson: '由您送审的稿件须由另一位审核人员发布。',
    publish: '审核通过并发布', approveRevision: '审核通过,发布修改', returnNote: '退回理由', return: '退回修改', returnNeedsNote: '退回须填写理由', withdraw: '撤回',
    done: { submit: '已送审', publish: '已发布', withdraw: '已撤回', return: '已退回' },
  },
  artStates: { draft: '草稿', in_review: '待审核', published: '已发布', withdrawn: '已撤回' },
  artKinds: { announcement: '疫情通报', measure: '防控措施', knowledge: '防护知识', rumour_rebuttal: '辟谣' },
  command: {
    title: '三门峡市疫情防控指挥中心', home: '‹ 返回首页', crumbs: '当前区域', asOf: '数据截至 {time}', loading: '加载中…', refresh: '每分钟自动刷新',
    map: '六县(市、区)重点人员分布', ranking: '{area} 各社区(村)重点人员', supplies: '物资保障(申领 · 签收 · 库存)', requested: '申领', received: '签收', stock: '库存',
    countyOnly: '物资与复工复产按全市或区县统计,请返回上一级查看。',
  },
  upload: { failed: '文件上传失败({status})', rejected: '文件有 {n} 处错误,未导入任何一行:', line: '行号', field: '字段', reason: '问题' },
  cmp: {
    title: '名单比对(三方比对)', new: '新建比对', name: '名单名称', nameHint: '例如 运营商 2月3日 武汉来三', reason: '比对事由', category: '命中后的重点人员类别', noCategory: '不指定(仅加管控标记)',
    file: 'CSV 文件', fileHint: '每行一人:身份证号或手机号(可两者),可选 日期 列;首行为列名。', upload: '上传并比对', uploaded: '已上传,正在比对', pickFile: '请选择 CSV 文件',
    status: '状态', progress: '比对进度', hits: '命中居民', lifted: '已解除 {n} 个管控标记', withdraw: '撤回名单', withdrawConfirm: '撤回后,本名单加的管控标记将全部解除。确定撤回?', jobs: '比对任务',
    states: { awaiting_upload: '待上传', comparing: '比对中', done: '已完成', rejected: '文件有误,未导入', withdrawn: '已撤回' },
  },
  trips: {
    title: '病例行程发布', one: '逐条录入', csv: 'CSV 导入', ofDay: '按日查看', numberHint: '车次/航班号,如 G1234', from: '出发地', to: '目的地', source: '官方通报链接', caseRef: '病例编号(选填)',
    publish: '发布行程', done: '已发布', published: '已发布 {n} 条行程,已提醒 {notified} 位保存过该行程的居民', csvHint: '列:date, mode, number, from, to, source_url(必填),carriage, row, seat, case_ref(选填)。整份文件无误才导入。',
    report: '导入结果', written: '已导入 {n} 条,已提醒 {notified} 位居民', states: { uploaded: '已上传,等待校验', validating: '校验中', imported: '已导入', rejected: '文件有误,未导入' },
  },
}
