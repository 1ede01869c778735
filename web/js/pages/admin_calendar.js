// admin_calendar.js - placeholder until its screen lands.
import { t } from '../i18n.js';
import { pageTitle, emptyState } from '../ui.js';

export default async function render(view) {
  pageTitle(view, t('page.soon'));
  view.append(emptyState(t('page.soon'), { label: t('shell.nav.home'), href: '#/' }));
}
