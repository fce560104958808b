import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * Gives every panel, rows included, a stable id in layout order. The builders leave ids unset, and
 * Grafana would number them on load, so links to a panel (`viewPanel=`) would not survive a change.
 */
export function numberPanels(dashboard: Dashboard): Dashboard {
  let next = 1;
  for (const panel of dashboard.panels ?? []) {
    panel.id = next++;
    for (const inner of 'panels' in panel && Array.isArray(panel.panels) ? panel.panels : []) inner.id = next++;
  }
  return dashboard;
}
