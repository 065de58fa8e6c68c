import { createRouter, createWebHashHistory } from 'vue-router'
import { showToast } from 'vant'
import { hasRole, session } from './auth'
import { residentRecord } from './household'
import { i18n } from './i18n'
import { mayOpen, screen } from './screens'

// Staff screens come from screens.json: who may open them, their menu entry and the API calls they offer.
// Hash history: the API shares the origin (paths such as /residents), and S3/CloudFront serve one index.html.
const routes = [
  { path: '/login', name: 'login', component: () => import('./views/SignIn.vue'), meta: { public: true } },
  { path: '/signup', name: 'signup', component: () => import('./views/SignUp.vue'), meta: { public: true } },
  { path: '/', name: 'home', component: () => import('./views/Home.vue'), meta: { public: true, tab: true } },
  { path: '/news', name: 'news', component: () => import('./views/News.vue'), meta: { public: true } },
  { path: '/news/:id', name: 'article', component: () => import('./views/Article.vue'), meta: { public: true } },
  { path: '/accountability', name: 'public-counts', component: () => import('./views/PublicCounts.vue'), meta: { public: true } },
  { path: '/supplies', name: 'supplies', component: () => import('./views/Supplies.vue'), meta: { public: true } },
  { path: '/cotravel', name: 'cotravel', component: () => import('./views/resident/CoTravel.vue'), meta: { public: true } },
  { path: '/tipoff', name: 'tipoff', component: () => import('./views/resident/TipOff.vue'), meta: {} },
  { path: '/tipoffs/map', name: 'tipoffmap', component: () => import('./views/TipoffMap.vue'), meta: { public: true } },
  { path: '/me', name: 'me', component: () => import('./views/Me.vue'), meta: { tab: true } },
  { path: '/notifications', name: 'notifications', component: () => import('./views/resident/Notifications.vue'), meta: { tab: true, roles: ['resident'] } },
  { path: '/register', name: 'register', component: () => import('./views/resident/Register.vue'), meta: { roles: ['resident'] } },
  { path: '/code', name: 'code', component: () => import('./views/resident/Code.vue'), meta: { record: true, tab: true, roles: ['resident'] } },
  { path: '/code/apply', name: 'apply', component: () => import('./views/resident/Apply.vue'), meta: { record: true, roles: ['resident'] } },
  { path: '/code/check-in', name: 'checkin', component: () => import('./views/resident/CheckIn.vue'), meta: { record: true, roles: ['resident'] } },
  { path: '/code/explanation', name: 'explanation', component: () => import('./views/resident/Explanation.vue'), meta: { record: true, roles: ['resident'] } },
  { path: '/code/timeline', name: 'timeline', component: () => import('./views/resident/Timeline.vue'), meta: { record: true, roles: ['resident'] } },
  { path: '/code/appeal', name: 'appeal', component: () => import('./views/resident/Appeal.vue'), meta: { record: true, roles: ['resident'] } },
  { path: '/household', name: 'household', component: () => import('./views/resident/Household.vue'), meta: { record: true, roles: ['resident'] } },
  { path: '/elder-card/:personId', name: 'household-elder-card', component: () => import('./views/resident/ElderCard.vue'), meta: { record: true, roles: ['resident'] } },
  { path: '/self-report', name: 'selfreport', component: () => import('./views/resident/SelfReport.vue'), meta: { record: true, roles: ['resident'] } },
  { path: '/help', name: 'help', component: () => import('./views/resident/Help.vue'), meta: { record: true, roles: ['resident'] } },
  { path: '/my-tipoffs', name: 'mytipoffs', component: () => import('./views/resident/MyTipOffs.vue'), meta: {} },
  screen('scan', () => import('./views/staff/Scanner.vue')),
  screen('community', () => import('./views/staff/Community.vue')),
  screen('keyperson', () => import('./views/staff/KeyPerson.vue')),
  screen('hotline', () => import('./views/staff/Hotline.vue')),
  screen('order', () => import('./views/staff/WorkOrder.vue')),
  screen('answers', () => import('./views/staff/Answers.vue')),
  screen('appeal-case', () => import('./views/staff/AppealCase.vue')),
  screen('enterprise', () => import('./views/staff/Enterprise.vue')),
  screen('dashboard', () => import('./views/staff/Dashboard.vue')),
  screen('command-centre', () => import('./views/staff/CommandCentre.vue')),
  screen('comparison', () => import('./views/staff/Comparison.vue')),
  screen('case-trips', () => import('./views/staff/CaseTrips.vue')),
  screen('supplies-office', () => import('./views/staff/SuppliesOffice.vue')),
  screen('supplies-run', () => import('./views/staff/SuppliesRun.vue')),
  screen('supply-requests', () => import('./views/staff/SupplyRequests.vue')),
  screen('resumption-review', () => import('./views/staff/ResumptionReview.vue')),
  screen('staff-accounts', () => import('./views/staff/StaffAccounts.vue')),
  screen('revocations', () => import('./views/staff/Revocations.vue')),
  screen('checkpoints-admin', () => import('./views/staff/CheckpointsAdmin.vue')),
  screen('articles', () => import('./views/staff/Articles.vue')),
  screen('exposure', () => import('./views/staff/Exposure.vue')),
  screen('contacts', () => import('./views/staff/Contacts.vue')),
  screen('proposals', () => import('./views/staff/Proposals.vue')),
  screen('person-record', () => import('./views/staff/PersonRecord.vue')),
  screen('access-grants', () => import('./views/staff/AccessGrants.vue')),
  screen('lab', () => import('./views/staff/Lab.vue')),
  screen('elder-card', () => import('./views/resident/ElderCard.vue')),
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHashHistory(), routes })

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  if (!session.current) return { name: 'login', query: { next: to.fullPath } }
  if (to.meta.roles && !hasRole(...to.meta.roles)) return { name: 'home' }
  if (to.meta.screen && !mayOpen(to.meta.screen)) return { name: 'home' }
  // Resident screens that act on one's own record: register first.
  if (to.meta.record) {
    let record = null
    try {
      record = await residentRecord()
    } catch {
      return false // the error was shown; stay where we are
    }
    if (!record) {
      showToast(i18n.global.t('home.registerFirst'))
      return { name: 'register', query: { next: to.fullPath } }
    }
  }
  return true
})
