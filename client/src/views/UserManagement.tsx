// Admin: accounts. Create (with role, and a municipality for the municipality role), edit name and role,
// disable/enable, reset password. A change of role, municipality or password, or a disable, ends the user's sessions.
// The forms are in UserForm.tsx.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Municipality } from '../../../server/cameras/schema';
import type { User } from '../../../server/users/schema';
import { api } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { AdminTable, AdminView, RowAction, useAdminActions } from '../components/AdminTable';
import { ConfirmDialog } from '../components/Dialog';
import { formatDateTime } from '../format';
import { useSession } from '../session/SessionContext';
import { PasswordForm, UserForm } from './UserForm';

type Modal =
  | { kind: 'create' }
  | { kind: 'edit'; user: User }
  | { kind: 'password'; user: User }
  | { kind: 'disable'; user: User };

export function UserManagement() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const [users, setUsers] = useState<User[] | null>(null);
  const [municipalities, setMunicipalities] = useState<Municipality[]>([]);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [modal, setModal] = useState<Modal | null>(null);
  const { busy, actionError, setActionError, notice, setNotice, run } = useAdminActions();

  const load = useCallback(async () => {
    try {
      const [u, m] = await Promise.all([api.users(), api.municipalities()]);
      setUsers(u);
      setMunicipalities(m);
      setLoadError(null);
    } catch (e) { setLoadError(toApiError(e)); }
  }, []);
  useEffect(() => { void load(); }, [load]);

  const municipalityName = (id: string | null) => (id ? municipalities.find((m) => m.id === id)?.name ?? id : '');
  const put = (u: User) => setUsers((list) => (list ? [...list.filter((x) => x.id !== u.id), u].sort((a, b) => a.username.localeCompare(b.username)) : list));

  const enable = (u: User) => run(async () => {
    put(await api.updateUser(u.id, { disabled: false }));
    setNotice(t('userAdmin.enabledNotice', { name: u.username }));
  });

  const toolbar = (
    <button type="button" className="button button--primary" onClick={() => { setNotice(null); setModal({ kind: 'create' }); }} data-testid="user-create">
      {t('userAdmin.new')}
    </button>
  );
  const columns = [t('user.username'), t('user.displayName'), t('user.role'), t('user.municipality'), t('user.status'), t('user.createdAt'), t('common.actions')];

  return (
    <AdminView title={t('views.users')} toolbar={toolbar} notice={notice} noticeTestId="user-admin-notice" actionError={actionError}
      loadError={loadError} onRetry={() => void load()} loaded={!!users}>
      {users && (
        <AdminTable testId="user-table" caption={t('userAdmin.caption')} columns={columns}>
          {users.map((u) => {
            const self = u.id === me.id;
            return (
              <tr key={u.id} data-testid={`user-${u.username}`} className={u.disabled ? 'row--disabled' : undefined}>
                <td><span className="mono">{u.username}</span>{self && <span className="badge badge--self">{t('userAdmin.you')}</span>}</td>
                <td>{u.displayName}</td>
                <td>{t(`roles.${u.role}`)}</td>
                <td>{municipalityName(u.municipalityId)}</td>
                <td><span className={`badge ${u.disabled ? 'badge--off' : 'badge--ok'}`}>{u.disabled ? t('user.disabled') : t('user.active')}</span></td>
                <td className="nowrap">{formatDateTime(u.createdAt, i18n.language)}</td>
                <td>
                  <div className="row-actions">
                    <RowAction label={t('common.edit')} name={u.username} onClick={() => { setNotice(null); setModal({ kind: 'edit', user: u }); }} />
                    <RowAction label={t('userAdmin.resetPassword')} name={u.username} onClick={() => { setNotice(null); setModal({ kind: 'password', user: u }); }} />
                    {!self && (u.disabled
                      ? <RowAction label={t('userAdmin.enable')} name={u.username} onClick={() => void enable(u)} disabled={busy} />
                      : <RowAction label={t('userAdmin.disable')} name={u.username} onClick={() => { setActionError(null); setModal({ kind: 'disable', user: u }); }} disabled={busy} />)}
                  </div>
                </td>
              </tr>
            );
          })}
        </AdminTable>
      )}

      {(modal?.kind === 'create' || modal?.kind === 'edit') && (
        <UserForm user={modal.kind === 'edit' ? modal.user : null} municipalities={municipalities} onClose={() => setModal(null)}
          onSaved={(u) => { put(u); setNotice(t(modal.kind === 'create' ? 'userAdmin.created' : 'userAdmin.saved', { name: u.username })); setModal(null); }} />
      )}
      {modal?.kind === 'password' && (
        <PasswordForm user={modal.user} onClose={() => setModal(null)}
          onSaved={(u) => { put(u); setNotice(t('userAdmin.passwordSet', { name: u.username })); setModal(null); }} />
      )}
      {modal?.kind === 'disable' && (
        <ConfirmDialog title={t('userAdmin.disableTitle', { name: modal.user.username })} confirmLabel={t('userAdmin.disable')} danger busy={busy}
          error={actionError} testId="confirm-disable-user" onCancel={() => setModal(null)}
          onConfirm={() => void run(async () => {
            const u = await api.updateUser(modal.user.id, { disabled: true });
            put(u);
            setNotice(t('userAdmin.disabledNotice', { name: u.username }));
            setModal(null);
          })}>
          <p>{t('userAdmin.disableText')}</p>
        </ConfirmDialog>
      )}
    </AdminView>
  );
}
