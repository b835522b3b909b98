import type { Viewer } from '../graphql/types.js';
import { useI18n } from '../i18n/locale-context.js';

/** Who is logged in: the workspace, the key's role and name, and a way out. */
export function ViewerBar({ viewer, onLogOut }: { viewer: Viewer; onLogOut(): void }) {
  const { t, tx } = useI18n();
  return (
    <div className="viewer-bar">
      <span className="viewer-bar__workspace" data-testid="workspace-name">
        {viewer.workspace.name}
      </span>
      <span className="role" data-testid="viewer-role" data-role={viewer.role}>
        <span className="visually-hidden">{t('session.role')}: </span>
        {tx(`role.${viewer.role}`, viewer.role)}
      </span>
      <span className="muted viewer-bar__key">
        {t('session.key')}: {viewer.keyName}
      </span>
      <button type="button" className="button button--ghost" data-testid="logout" onClick={onLogOut}>
        {t('session.logout')}
      </button>
    </div>
  );
}
