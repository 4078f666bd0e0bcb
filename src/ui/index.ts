export {
  Dashboard,
  dashboardFile,
  dashboardFor,
  DASHBOARD_CSP,
  DASHBOARD_REFRESH_MS,
} from './dashboard';
export type { DashboardHostOptions, DashboardRequest, DashboardResponse } from './dashboard';
export type {
  DashboardLabelMatch,
  DashboardSelector,
  DashboardSeries,
  DashboardSlo,
} from './dashboard-slos';
