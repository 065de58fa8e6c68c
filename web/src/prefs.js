// Display preferences kept on the device: the large-font mode (长辈模式) for older residents.
import { reactive, watch } from 'vue'

const STORAGE_KEY = 'sanmenxia.largeFont'

export const prefs = reactive({ largeFont: localStorage.getItem(STORAGE_KEY) === '1' })

function apply() {
  document.documentElement.classList.toggle('large-font', prefs.largeFont)
}

apply()
watch(
  () => prefs.largeFont,
  (value) => {
    localStorage.setItem(STORAGE_KEY, value ? '1' : '0')
    apply()
  },
)
