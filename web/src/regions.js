// The public region list (GET /regions): six county-level divisions and their communities.
import { ref } from 'vue'
import { api } from './api'
import { i18n } from './i18n'

export const regions = ref([])
let loading = null

export function loadRegions() {
  if (!loading) {
    loading = api('GET', '/regions')
      .then((list) => {
        regions.value = list
        return list
      })
      .catch((error) => {
        loading = null
        throw error
      })
  }
  return loading
}

export function countyName(code) {
  const county = regions.value.find((item) => item.county_code === code)
  if (!county) return code || ''
  return i18n.global.locale.value === 'en' ? county.name_en : county.name
}

const english = () => i18n.global.locale.value === 'en'
/** A community's own name in the chosen language (pinyin in English). */
export const placeName = (item) => (english() && item.name_en ? item.name_en : item.name)

export function communityName(id) {
  for (const county of regions.value) {
    const hit = county.communities.find((item) => item.id === id)
    if (hit) return english() ? `${placeName(hit)}, ${countyName(county.county_code)}` : `${countyName(county.county_code)} ${hit.name}`
  }
  return id || ''
}

/** Options for Vant's Cascader: county → community. */
export function regionOptions() {
  return regions.value.map((county) => ({
    text: countyName(county.county_code),
    value: county.county_code,
    children: county.communities.map((item) => ({ text: placeName(item), value: item.id })),
  }))
}
