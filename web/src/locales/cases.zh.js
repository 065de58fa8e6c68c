// 12345 真实案件 (issue 17: 延期、协办、加急、短信、答复照片、知识库), merged under `cases`.
export default {
  urgent: '加急', flagUrgent: '设为加急', urgentHint: '加急工单按加急时限办理(受理后 4 小时内答复)',
  extension: {
    title: '延期', pending: '延期申请待审批:{hours} 小时 · {reason}', granted: '已延期 {n} 次', ask: '申请延期', hours: '延长(小时)', reason: '延期理由',
    approve: '同意延期', refuse: '不同意延期', refuseNote: '不同意的理由', asked: '已提交延期申请,等待话务员审批',
  },
  assist: {
    title: '协办单位', lead: '主办单位', add: '增加协办单位', pick: '选择协办单位', waiting: '待答复', answered: '已答复', reply: '协办答复', replyHint: '给主办单位的协办意见',
    waitingFor: '主办单位须等协办单位全部答复后才能答复市民:{units}', tab: '协办',
  },
  photos: { title: '办理结果照片', add: '添加照片', tooBig: '照片不能超过 5 MB', uploaded: '照片已上传' },
  answers: {
    menu: '知识库', title: '知识库·标准答复', search: '搜索标准答复', use: '引用标准答复', pick: '选择一条标准答复填入答复内容', none: '没有匹配的标准答复',
    new: '新增标准答复', edit: '修改', remove: '删除', removeConfirm: '确定删除这条标准答复?', titleField: '标题', body: '答复内容', category: '适用类型', tags: '关键词(空格分隔)', anyCategory: '所有类型',
  },
}
