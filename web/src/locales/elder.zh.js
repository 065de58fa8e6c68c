// 长辈码 (issue 17: a code for everyone): kept apart from zh.js; merged under `elder`.
export default {
  menu: '长辈码', title: '长辈码(打印版健康码)', tab: '长辈码',
  intro: '为没有手机的家人打印长辈码。卡上只有二维码和打码的姓名,不印颜色:检测点核验时结合身份证读取当天的健康码颜色。卡片遗失请在此吊销并重新打印。',
  issue: '生成并打印长辈码', issued: '已生成', print: '打印', cards: '已发放的长辈码', revoke: '吊销', revoked: '已吊销',
  revokeConfirm: '吊销后此卡在检测点将被拒绝,确定吗?', revokeReason: '户主吊销(遗失或重新打印)',
  validUntil: '有效期至 {date}', colourAtGate: '健康码颜色以检测点当日核验为准', showId: '请与本人身份证一同出示',
  cardCode: '长辈码', cardCodeHint: '扫描或输入长辈码', idHint: '扫描或输入持卡人身份证号', check: '核验',
  refused: '拒绝', reasons: { id_mismatch: '身份证与长辈码不符', revoked: '长辈码已吊销', unknown_card: '无此长辈码', expired: '长辈码已过期', 'bad signature': '长辈码无效', no_code: '尚未申领健康码' },
}
