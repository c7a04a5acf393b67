// Admin: accounts. Create (with role, and a municipality for the municipality role), edit name and role,
// disable/enable, reset password. A change of role, municipality or password, or a disable, ends the user's sessions.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { roles, type Role } from '../../../server/auth/policy';
import type { Municipality } from '../../../server/cameras/schema';
import { userCreateSchema, userUpdateSchema, type User } from '../../../server/users/schema';
import { api } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { ConfirmDialog, Dialog } from '../components/Dialog';
import { Field, focusFirstInvalid } from '../components/Field';
import { useErrorText } from '../components/errors';
import { issuesByField, splitServerError, type FieldErrors } from '../components/formErrors';
import { formatDateTime } from '../format';
import { useSession } from '../session/SessionContext';

const userFields = ['username', 'displayName', 'role', 'municipalityId', 'password', 'disabled'] as const;

type Modal =
  | { kind: 'create' }
  | { kind: 'edit'; user: User }
  | { kind: 'password'; user: User }
  | { kind: 'disable'; user: User };

function useUserFieldText() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  return useCallback((field: string, err?: ApiError): string => {
    if (err?.code === 'conflict' && field === 'username') return t('userForm.errors.usernameTaken');
    if (err?.code === 'self_lockout') return t('errors.self_lockout');
    switch (field) {
      case 'username': return t('userForm.errors.username');
      case 'displayName': return t('userForm.errors.displayName');
      case 'role': return t('userForm.errors.role');
      case 'municipalityId': return t('userForm.errors.municipalityId');
      case 'password': return t('userForm.errors.password');
      default: return err ? errorText(err) : t('errors.invalid_input', { detail: field });
    }
  }, [t, errorText]);
}

export function UserManagement() {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const { me } = useSession();
  const [users, setUsers] = useState<User[] | null>(null);
  const [municipalities, setMunicipalities] = useState<Municipality[]>([]);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [modal, setModal] = useState<Modal | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

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

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setActionError(null);
    try { await action(); } catch (e) { setActionError(errorText(toApiError(e))); } finally { setBusy(false); }
  }
  const enable = (u: User) => run(async () => {
    put(await api.updateUser(u.id, { disabled: false }));
    setNotice(t('userAdmin.enabledNotice', { name: u.username }));
  });

  return (
    <>
      <h1 tabIndex={-1} className="view-title">{t('views.users')}</h1>
      <div className="toolbar">
        <button type="button" className="button button--primary" onClick={() => { setNotice(null); setModal({ kind: 'create' }); }} data-testid="user-create">
          {t('userAdmin.new')}
        </button>
      </div>
      <div role="status" className="status-slot">{notice && <p className="banner banner--ok" data-testid="user-admin-notice">{notice}</p>}</div>
      <div role="alert" className="alert-slot">
        {(actionError || loadError) && <p className="banner banner--error">{actionError ?? (loadError && errorText(loadError))}</p>}
      </div>
      {loadError && <button type="button" className="button" onClick={() => void load()}>{t('common.retry')}</button>}
      {!users && !loadError && <p className="muted">{t('common.loading')}</p>}
      {users && (
        <div className="panel table-wrap">
          <table className="table" data-testid="user-table">
            <caption className="visually-hidden">{t('userAdmin.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('user.username')}</th>
                <th scope="col">{t('user.displayName')}</th>
                <th scope="col">{t('user.role')}</th>
                <th scope="col">{t('user.municipality')}</th>
                <th scope="col">{t('user.status')}</th>
                <th scope="col">{t('user.createdAt')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
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
                        <button type="button" className="button button--small" onClick={() => { setNotice(null); setModal({ kind: 'edit', user: u }); }}>
                          {t('common.edit')}<span className="visually-hidden"> {u.username}</span>
                        </button>
                        <button type="button" className="button button--small" onClick={() => { setNotice(null); setModal({ kind: 'password', user: u }); }}>
                          {t('userAdmin.resetPassword')}<span className="visually-hidden"> {u.username}</span>
                        </button>
                        {!self && (u.disabled ? (
                          <button type="button" className="button button--small" onClick={() => void enable(u)} disabled={busy}>
                            {t('userAdmin.enable')}<span className="visually-hidden"> {u.username}</span>
                          </button>
                        ) : (
                          <button type="button" className="button button--small" onClick={() => { setActionError(null); setModal({ kind: 'disable', user: u }); }} disabled={busy}>
                            {t('userAdmin.disable')}<span className="visually-hidden"> {u.username}</span>
                          </button>
                        ))}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
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
    </>
  );
}

function PasswordInput({ value, onChange, control }: { value: string; onChange(v: string): void; control: object }) {
  const { t } = useTranslation();
  const [show, setShow] = useState(false);
  return (
    <div className="copy-row">
      <input {...control} type={show ? 'text' : 'password'} autoComplete="new-password" value={value} onChange={(e) => onChange(e.target.value)} spellCheck={false} />
      <button type="button" className="button" aria-pressed={show} onClick={() => setShow((s) => !s)}>{t('userForm.showPassword')}</button>
    </div>
  );
}

interface UserFormProps { user: User | null; municipalities: Municipality[]; onSaved(u: User): void; onClose(): void }

function UserForm({ user, municipalities, onSaved, onClose }: UserFormProps) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const fieldText = useUserFieldText();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState(user?.displayName ?? '');
  const [role, setRole] = useState<Role>(user?.role ?? 'observer');
  const [municipalityId, setMunicipalityId] = useState(user?.municipalityId ?? '');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [formInfo, setFormInfo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setFormError(null);
    setFormInfo(null);
    const bound = role === 'municipality' ? municipalityId : null;
    let parsed;
    if (!user) {
      parsed = userCreateSchema.safeParse({ username, displayName, role, municipalityId: bound, password });
    } else {
      const body: Record<string, unknown> = {};
      if (displayName.trim() !== user.displayName) body.displayName = displayName;
      if (role !== user.role) body.role = role;
      if (role === 'municipality' && (role !== user.role || bound !== user.municipalityId)) body.municipalityId = bound;
      if (Object.keys(body).length === 0) { setErrors({}); setFormInfo(t('userForm.unchanged')); return; }
      parsed = userUpdateSchema.safeParse(body);
    }
    if (!parsed.success) {
      const out: FieldErrors = {};
      for (const [path] of issuesByField(parsed.error)) out[path || 'form'] = fieldText(path);
      setErrors(out);
      setFormError(t('common.checkFields'));
      focusFirstInvalid(formRef.current);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const saved = user
        ? await api.updateUser(user.id, parsed.data as Parameters<typeof api.updateUser>[1])
        : await api.createUser(parsed.data as Parameters<typeof api.createUser>[0]);
      onSaved(saved);
    } catch (e) {
      const err = toApiError(e);
      const split = splitServerError(err, userFields, fieldText);
      setErrors(split.fields);
      setFormError(split.form ? errorText(split.form) : t('common.checkFields'));
      focusFirstInvalid(formRef.current);
      setBusy(false);
    }
  }

  return (
    <Dialog title={user ? t('userForm.editTitle', { name: user.username }) : t('userForm.createTitle')} onClose={onClose} testId="user-form" closable={!busy}>
      <form ref={formRef} className="form" onSubmit={submit} noValidate>
        {user ? (
          <div className="field">
            <span className="label">{t('user.username')}</span>
            <span className="mono readonly-value">{user.username}</span>
          </div>
        ) : (
          <Field label={t('user.username')} hint={t('userForm.usernameHint')} error={errors.username}>
            {(p) => <input {...p} value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" autoCapitalize="none" spellCheck={false} autoFocus />}
          </Field>
        )}
        <Field label={t('user.displayName')} error={errors.displayName}>
          {(p) => <input {...p} value={displayName} onChange={(e) => setDisplayName(e.target.value)} autoComplete="off" autoFocus={!!user} />}
        </Field>
        <Field label={t('user.role')} error={errors.role} hint={user ? t('userForm.roleHint') : undefined}>
          {(p) => (
            <select {...p} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {roles.map((r) => <option key={r} value={r}>{t(`roles.${r}`)}</option>)}
            </select>
          )}
        </Field>
        {role === 'municipality' && (
          <Field label={t('user.municipality')} error={errors.municipalityId} hint={t('userForm.municipalityHint')}>
            {(p) => (
              <select {...p} value={municipalityId} onChange={(e) => setMunicipalityId(e.target.value)}>
                <option value="">{t('cameraForm.chooseMunicipality')}</option>
                {municipalities.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
              </select>
            )}
          </Field>
        )}
        {!user && (
          <Field label={t('user.password')} error={errors.password} hint={t('userForm.passwordHint')}>
            {(p) => <PasswordInput value={password} onChange={setPassword} control={p} />}
          </Field>
        )}
        <div role="alert" className="alert-slot">{formError && <p className="banner banner--error">{formError}</p>}</div>
        {formInfo && <p className="banner banner--info" role="status">{formInfo}</p>}
        <div className="actions">
          <button type="button" className="button" onClick={onClose} disabled={busy}>{t('common.cancel')}</button>
          <button type="submit" className="button button--primary" disabled={busy} data-testid="user-form-submit">
            {busy ? t('common.working') : user ? t('common.save') : t('userForm.create')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function PasswordForm({ user, onSaved, onClose }: { user: User; onSaved(u: User): void; onClose(): void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const fieldText = useUserFieldText();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setFormError(null);
    const parsed = userUpdateSchema.safeParse({ password });
    if (!parsed.success) { setError(fieldText('password')); focusFirstInvalid(formRef.current); return; }
    setError(undefined);
    setBusy(true);
    try {
      onSaved(await api.updateUser(user.id, parsed.data as Parameters<typeof api.updateUser>[1]));
    } catch (e) {
      const err = toApiError(e);
      if (err.field === 'password') setError(fieldText('password', err)); else setFormError(errorText(err));
      focusFirstInvalid(formRef.current);
      setBusy(false);
    }
  }

  return (
    <Dialog title={t('userForm.passwordTitle', { name: user.username })} onClose={onClose} testId="password-form" closable={!busy}>
      <form ref={formRef} className="form" onSubmit={submit} noValidate>
        <p>{t('userForm.passwordText')}</p>
        <Field label={t('userForm.newPassword')} error={error} hint={t('userForm.passwordHint')}>
          {(p) => <PasswordInput value={password} onChange={setPassword} control={{ ...p, autoFocus: true }} />}
        </Field>
        <div role="alert" className="alert-slot">{formError && <p className="banner banner--error">{formError}</p>}</div>
        <div className="actions">
          <button type="button" className="button" onClick={onClose} disabled={busy}>{t('common.cancel')}</button>
          <button type="submit" className="button button--primary" disabled={busy}>{busy ? t('common.working') : t('userForm.setPassword')}</button>
        </div>
      </form>
    </Dialog>
  );
}
