// 核酸检测结果 (issue 17: lab results): kept apart from zh.js; merged under `labs`.
export default {
  menu: '核酸结果',
  title: '核酸检测结果',
  upload: '上传文件', file: '结果文件(CSV)', send: '上传并导入', pickFile: '请先选择文件',
  fileHint: '每行一个样本:样本编号、身份证号、检测结果(阳性/阴性)、采样时间(如 2020-02-10 08:30),可选检测时间。整份文件校验无误才导入,有错误时逐行列出,不写入任何结果;同一文件重复上传不会重复记录。',
  report: '导入结果', status: '状态', states: { awaiting_upload: '等待上传', uploaded: '已上传,校验中', imported: '已导入', rejected: '未导入(有错误)' },
  imported: '共 {rows} 行:新记录 {added},此前已记录 {already};阳性 {positives},解除标记 {released} 人',
  uploads: '上传记录',
  one: '单条录入', sampleId: '样本编号', idNumber: '身份证号', idRule: '请输入 18 位身份证号', result: '检测结果', sampledAt: '采样时间', required: '必填',
  record: '录入', done: '已录入', recorded: '样本 {sample} 已记录。', already: '样本 {sample} 此前已记录,未重复写入。',
  release: '阳性后阴性结果 {counted}/{required} 次。', released: '已达到解除标准,核酸阳性标记已解除。',
  results: { title: '检测结果', positive: '阳性', negative: '阴性' },
  more: '加载更多',
}
