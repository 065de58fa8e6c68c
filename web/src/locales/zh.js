// 简体中文 (the app's first language)
export default {
  app: { name: '线上三门峡', slogan: '疫情防控 · 健康码 · 便民服务' },
  tabs: { home: '首页', code: '健康码', messages: '消息', me: '我的' },
  common: {
    loading: '加载中…', empty: '暂无记录', noMore: '没有更多了', retry: '加载失败,点击重试', choose: '请选择',
    optional: '选填', submit: '提交', cancel: '取消', remove: '删除', saved: '已保存',
  },
  errors: {
    title: '操作未成功', network: '网络连接失败,请检查网络后重试', config: '无法读取系统配置,请稍后重试',
    status: {
      400: '请求有误', 401: '登录已过期,请重新登录', 403: '没有权限', 404: '未找到', 409: '与现有记录冲突',
      413: '内容过大', 422: '填写有误', 429: '操作太频繁,请稍后再试', 500: '服务器出错,请稍后再试',
      502: '服务暂不可用', 503: '服务暂不可用,请稍后重试', other: '请求失败({status})',
    },
  },
  cognito: {
    notAuthorized: '用户名或密码错误', notConfirmed: '账号尚未验证,请先完成验证', exists: '该用户名已被注册',
    invalidPassword: '密码不符合要求(至少8位,含小写字母和数字)', invalidParameter: '填写的信息格式有误',
    codeMismatch: '验证码错误', codeExpired: '验证码已过期,请重新获取', tooMany: '尝试次数过多,请稍后再试',
    resetRequired: '需要重置密码', newPassword: '首次登录需要设置新密码,请联系管理员', other: '登录服务出错:{detail}',
  },
  login: {
    username: '用户名', usernamePlaceholder: '请输入用户名', usernameRequired: '请输入用户名', password: '密码',
    passwordPlaceholder: '请输入密码', passwordRequired: '请输入密码', submit: '登录', toSignup: '注册新账号',
    visitor: '游客浏览', demoTitle: '演示账号(仅本地环境)', demoNote: '点击即可用该账号登录;此列表只在本地运行时显示。',
  },
  signup: {
    title: '注册', usernameHint: '3-64位字母、数字或 _.@-', usernameRule: '用户名为3-64位字母、数字或 _.@-',
    phoneHint: '11位手机号', passwordHint: '至少8位,含小写字母和数字', passwordRule: '密码至少8位,须含小写字母和数字',
    submit: '获取验证码并注册', codeSent: '验证码已发送至 {phone}', code: '验证码', codeRequired: '请输入验证码', confirm: '验证并登录',
  },
  home: {
    hello: '您好,{name}', registerFirst: '请先完成居民信息登记,再申领健康码', myCode: '我的健康码', applyNow: '立即申领',
    checkInNow: '今日打卡', checkedIn: '今日已打卡', staffTools: '工作台', signIn: '登录 / 注册', latestNews: '疫情资讯',
  },
  menu: {
    code: '健康码', checkin: '每日打卡', household: '家庭成员', selfReport: '信息填报', tipoff: '我要上报', cotravel: '同行查询',
    help: '求助留言', news: '疫情资讯', scan: '扫码核验', community: '社区管理', hotline: '12345 工单', dashboard: '指挥看板',
  },
  me: {
    title: '我的', account: '账号', roles: '角色', noRole: '无', noRoleHint: '账号尚未开通居民身份,请稍后重新登录或联系社区。',
    myRecord: '我的登记信息', settings: '设置', language: '语言 Language', switchLanguage: 'English', largeFont: '大字模式',
    largeFontHint: '长辈模式:字号和按钮更大', myTipoffs: '我的上报', signOut: '退出登录',
  },
  roles: {
    resident: '居民', checkpoint_staff: '检测点工作人员', community_head: '社区(村)负责人', hotline_operator: '12345 话务员',
    department_handler: '责任单位承办人', enterprise_admin: '企业管理员', supplies_officer: '物资保障人员', commander: '指挥部', admin: '系统管理员',
  },
  scope: { county_code: '区县', community_id: '社区(村)', checkpoint_id: '检测点', department: '单位', enterprise_id: '企业' },
  fields: {
    name: '姓名', id_number: '身份证号', phone: '手机号', address: '详细地址', community_id: '所在社区(村)', county_code: '区县',
    temperature: '体温', symptoms: '症状', relation: '与户主关系', person_type: '人员类型', isolation: '隔离状态', place: '地点',
    from_date: '开始日期', to_date: '结束日期', hardships: '困难需求', note: '说明', category: '类别', description: '情况描述',
    photo: '照片', date: '日期', mode: '交通方式', number: '车次/航班号', carriage: '车厢', seat: '座位号', kind: '类型',
    message: '留言内容', measure: '管控措施', source: '来源', problems: '存在问题', department: '责任单位', token: '健康码',
    declaration_accepted: '承诺', fever: '发热', in_isolation: '隔离', reason: '理由', scan_id: '登记编号', direction: '进出方向',
    entrance: '出入口', vehicle_plate: '车牌号', body: '请求内容',
  },
  validation: {
    name: '请输入姓名', idNumber: '身份证号不正确(18位,校验位有误或出生日期无效)', phone: '请输入正确的11位手机号',
    community: '请选择所在社区(村)', address: '请输入详细地址', temperature: '请输入34-43之间的体温',
    gateTemperature: '体温须在30-45 °C之间', place: '请输入地点', date: '请选择日期', category: '请选择类别',
    description: '请描述情况', number: '请输入车次或航班号', message: '请输入留言内容',
  },
  colors: { green: '绿码', yellow: '黄码', red: '红码', none: '未申领' },
  register: {
    title: '居民信息登记', intro: '实名登记后即可申领健康码、为家人代办。', submit: '提交登记', done: '登记成功',
    privacy: '身份证号、姓名和手机号加密保存,仅以脱敏形式显示。',
  },
  apply: {
    title: '申领健康码', ruleTitle: '“两不一打一申报”', rule: '不隔离、不发热、每日体温打卡、如实申报基本信息。系统比对重点人员、隔离、发热、同行等信息,无异常自动发放绿码。',
    declaration: '本人申报', fever: '目前是否发热', feverHint: '体温 ≥ 37.3 °C', isolation: '是否正在隔离', isolationHint: '居家或集中隔离',
    accept: '本人承诺以上信息真实准确,如有瞒报愿承担法律责任', mustAccept: '请阅读并勾选承诺', submit: '提交申领', done: '申领成功:{color}',
  },
  checkin: {
    title: '每日打卡', temperatureHint: '例如 36.5', feverWarning: '体温 ≥ 37.3 °C 将记为发热,请及时就医并联系社区。',
    submit: '提交打卡', done: '打卡成功',
  },
  symptoms: { cough: '咳嗽', fatigue: '乏力', sore_throat: '咽痛', shortness_of_breath: '呼吸困难', diarrhoea: '腹泻', loss_of_taste: '嗅(味)觉减退' },
  code: {
    title: '我的健康码', notApplied: '尚未申领健康码', applyNow: '立即申领', refreshIn: '二维码 {seconds} 秒后自动刷新',
    since: '自 {date} 起', toGreen: '再连续打卡 {n} 天可转为绿码', reasons: '赋码原因', noReasons: '无异常',
    checkIn: '今日打卡', checkedInToday: '今日已打卡', appeal: '对赋码有异议?申诉', history: '近期记录',
  },
  holdSources: {
    rule: '打卡规则', isolation: '隔离', fever: '发热', key_person: '重点人员', co_travel: '同行密接', imported_list: '大数据比对',
    checkpoint: '检测点', self_report: '本人申报', declaration: '本人申报',
  },
  appeal: {
    title: '赋码申诉', intro: '申诉将转为 12345 工单,由责任单位核实后答复。', hold: '申诉事项', reason: '申诉理由',
    reasonHint: '请说明情况,例如已解除隔离的日期', reasonRequired: '请填写申诉理由', submit: '提交申诉',
    doneTitle: '申诉已提交', done: '工单号 {id},处理结果将通过消息通知您。',
  },
  household: {
    title: '家庭成员', empty: '暂无家庭成员', add: '添加家庭成员', addHint: '为没有手机的老人、孩子登记,由您代为申领健康码和打卡。',
    submit: '添加', added: '已添加', actingFor: '办理对象', self: '本人',
  },
  relations: { self: '本人', spouse: '配偶', child: '子女', parent: '父母', grandparent: '(外)祖父母', grandchild: '(外)孙子女', sibling: '兄弟姐妹', other: '其他' },
  selfReport: {
    title: '居民信息填报', travel: '近期行程', placeHint: '城市或地区', addTravel: '添加行程', hardship: '困难求助',
    hardshipHint: '例如:需要降压药,行动不便', done: '填报成功',
  },
  personTypes: { permanent: '常住人口', migrant_worker: '外出务工', returnee: '返乡人员', visitor: '外来访客' },
  isolation: { none: '未隔离', home: '居家隔离', centralized: '集中隔离' },
  hardships: { medicine: '买药', daily_necessities: '生活物资', medical_visit: '就医', other: '其他' },
  tipoff: {
    title: '我要上报疫情', intro: '发现疫情线索请如实上报,可匿名。上报后转 12345 工单处理。', anonymous: '匿名上报',
    anonymousHint: '匿名时不记录您的身份', visitorAnonymous: '未登录时为匿名上报', photoTooLarge: '照片不能超过 5 MB',
    photoType: '只能上传 JPG 或 PNG 照片', photoUploadFailed: '照片上传失败({status})', doneTitle: '上报成功', done: '编号 {id},感谢您的支持!',
  },
  tipoffCategories: {
    no_fever_checkpoint: '村(社区)未设发热检测点', fever_person: '发热人员', gathering: '聚集活动', wuhan_returnee: '武汉返乡人员',
    hubei_vehicle: '湖北返回车辆', rumour: '造谣传谣', price_gouging: '哄抬物价', fake_supplies: '假冒防疫物资',
    used_mask_collection: '回收废弃口罩', wild_game: '售卖野生动物',
  },
  cotravel: {
    title: '确诊患者同行查询', intro: '输入乘车(机)日期和车次/航班号,查询是否与确诊患者同行。', numberHint: '如 G1234、CA1234',
    query: '查询', save: '保存行程,有新情况时提醒我', result: '查询结果', noMatch: '未发现同行确诊患者', source: '信息来源',
    guidance: '您可能与确诊患者同行:请立即向所在社区报告并居家隔离,如有不适及时就医。', registerMe: '一键登记为密接排查对象',
    registeredTitle: '已登记', registered: '社区工作人员将与您联系,请保持电话畅通并居家隔离。', saved: '我保存的行程',
    matched: '有风险', clear: '暂无风险', savedDone: '已保存', fillFirst: '请先填写日期和车次/航班号', carriageN: '{n}车厢',
  },
  travelModes: { flight: '飞机', train: '火车', bus: '客车', ship: '轮船', metro: '地铁', taxi: '出租车' },
  risk: { high: '高风险:同排/同车厢', medium: '中风险:邻近座位', low: '低风险:同一班次', same_vehicle: '同一车辆', same_carriage: '同一车厢', nearby_rows: '邻近座位' },
  help: {
    title: '求助留言', intro: '行动不便、缺药缺物资?留言后社区和 12345 将联系您。', messageHint: '例如:家中老人降压药用完,无法出门',
    done: '留言已提交', mine: '我的留言', reply: '答复',
  },
  news: {
    title: '疫情资讯', article: '资讯详情', empty: '暂无资讯', more: '查看更多',
    categories: { all: '全部', announcement: '通告', measure: '防控措施', knowledge: '防护知识', rumour_rebuttal: '辟谣' },
  },
  notifications: { title: '消息通知', empty: '暂无消息' },
  scan: {
    title: '扫码核验', byQr: '扫健康码', byId: '身份证', startCamera: '打开摄像头扫码', stopCamera: '关闭', fromImage: '识别图片中的二维码',
    idHint: '刷身份证或手工录入', method: '方式', typed: '手工录入', idCard: '读卡器', direction: '方向', in: '进', out: '出',
    entrance: '出入口', plate: '车牌号', register: '登记', today: '今日统计', noCheckpoint: '未分配检测点,请联系社区负责人',
    cameraFailed: '无法打开摄像头:{detail}', noQrInImage: '图片中未识别到二维码', savedOffline: '网络不通,已离线保存,联网后自动上传',
    pending: '{n} 条登记待上传,点击上传', sentPending: '已上传 {n} 条离线登记', clearsIn: '{seconds} 秒后自动返回,点击立即返回',
    decision: { pass: '通行', stop: '禁止通行' },
  },
  stats: { scans: '登记', passes: '通行', stops: '拦截', fevers: '发热', unique_persons: '人数', ins: '进', outs: '出' },
  community: {
    title: '社区管理', residents: '居民', keyPersons: '重点人员', allTypes: '全部类型', allFlags: '全部状态', fever: '发热',
    isolation: '隔离中', hardship: '有困难', allCategories: '全部类别', active: '在管', stale: '今日未更新', released: '已解除',
    noUpdateToday: '今日未更新', updated: '已更新', releaseOn: '{date} 解除', handleHardship: '处理困难需求',
    handledNote: '社区已处理', newKeyPerson: '登记重点人员',
  },
  keyPersonCategories: { outside_city: '市外返回', hubei: '湖北返回', wuhan: '武汉返回', close_contact: '密切接触者', fever_no_contact: '发热(无接触史)' },
  keyPersonSources: { self_report: '本人申报', checkpoint: '检测点', tip_off: '群众举报', co_travel: '同行查询', import: '数据比对', community: '社区排查' },
  measures: { home_isolation: '居家隔离', centralized_isolation: '集中隔离', medical_observation: '医学观察', hospital: '住院治疗' },
  keyPerson: {
    title: '重点人员', start: '开始日期', plannedRelease: '计划解除', status: '状态', followUp: '今日随访', saveFollowUp: '保存随访',
    release: '解除管控', releaseConfirm: '确认解除该人员的管控措施?', history: '随访记录',
  },
  hotline: {
    title: '12345 工单', newCall: '来电登记', create: '生成工单', overdue: '已超期', due: '时限 {at}',
    queues: { received: '待派单', dispatched: '已派单', handling: '办理中', replied: '已答复', overdue: '超期', closed: '已办结' },
  },
  orderKinds: { consultation: '咨询', report: '举报', help_request: '求助', complaint: '投诉', tip_off: '疫情线索', help_message: '求助留言', hardship: '困难需求', appeal: '赋码申诉' },
  orderStates: { received: '已受理', dispatched: '已派单', handling: '办理中', replied: '已答复', revisited: '已回访', closed: '已办结', open: '待处理', handled: '已处理' },
  departments: {
    public_security: '公安', health: '卫健委', market_regulation: '市场监管', transport: '交通运输', civil_affairs: '民政',
    community: '社区(村)', propaganda: '宣传网信', agriculture: '农业农村',
  },
  order: {
    title: '工单详情', id: '工单号', status: '状态', reply: '答复', act: '办理', note: '办理意见', noteHint: '填写处理情况或答复内容',
    dispatch: '派单', startHandling: '开始办理', sendReply: '答复市民', revisit: '回访', close: '办结', closedNote: '已办结', timeline: '办理过程',
  },
  dashboard: {
    title: '疫情大数据指挥看板', city: '三门峡市', keyPersonMap: '重点人员分布', byArea: '各地重点人员(按类别)', byCategory: '重点人员类别',
    trend: '新增重点人员趋势', codes: '健康码颜色分布', traffic: '检测点今日通行', keyPersonList: '重点人员名单',
    keyPersons: '重点人员', newKeyPersons: '新增', more: '多', fewer: '少',
  },
}
