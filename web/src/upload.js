// A file PUT to the presigned URL an API answer gives ({url, method, content_type}): straight to S3, not through
// the API (the bucket's CORS rule allows the PUT).
import { ApiError } from './api'
import { i18n } from './i18n'

export async function putFile(upload, file) {
  let response
  try {
    response = await fetch(upload.url, { method: upload.method || 'PUT', headers: { 'Content-Type': upload.content_type || 'text/csv' }, body: file })
  } catch {
    throw new ApiError(0, null, i18n.global.t('errors.network'))
  }
  if (!response.ok) throw new ApiError(response.status, null, i18n.global.t('bo.upload.failed', { status: response.status }))
}
