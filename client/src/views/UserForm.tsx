// Admin: the account forms. Create or edit an account (name, role, a municipality for the municipality role) and set a
// new password. The same zod schemas as the server check the input first; server refusals that name a field are shown
// next to that field.
import { useCallback, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { roles, type Role } from '../../../server/auth/policy';
import type { Municipality } from '../../../server/cameras/schema';
import { userCreateSchema, userUpdateSchema, type User } from '../../../server/users/schema';
import { api } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { Dialog } from '../components/Dialog';
import { Field, FormActions, FormInfo, focusFirstInvalid, ReadonlyField } from '../components/Field';
import { useErrorText } from '../components/errors';
import { fieldErrorsOf, useFormFeedback, type FieldErrors } from '../components/formErrors';
import { ErrorSlot } from '../components/Slots';
import { MunicipalityOptions } from './MunicipalityOptions';

const userFields = ['username', 'displayName', 'role', 'municipalityId', 'password', 'disabled'] as const;

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

export function UserForm({ user, municipalities, onSaved, onClose }: UserFormProps) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const fieldText = useUserFieldText();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState(user?.displayName ?? '');
  const [role, setRole] = useState<Role>(user?.role ?? 'observer');
  const [municipalityId, setMunicipalityId] = useState(user?.municipalityId ?? '');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const form = useFormFeedback(errorText, setErrors);
  const { busy } = form;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    form.clear();
    const bound = role === 'municipality' ? municipalityId : null;
    let parsed;
    if (!user) {
      parsed = userCreateSchema.safeParse({ username, displayName, role, municipalityId: bound, password });
    } else {
      const body: Record<string, unknown> = {};
      if (displayName.trim() !== user.displayName) body.displayName = displayName;
      if (role !== user.role) body.role = role;
      if (role === 'municipality' && (role !== user.role || bound !== user.municipalityId)) body.municipalityId = bound;
      if (Object.keys(body).length === 0) { form.unchanged(t('userForm.unchanged')); return; }
      parsed = userUpdateSchema.safeParse(body);
    }
    if (!parsed.success) { form.invalid(fieldErrorsOf(parsed.error, fieldText)); return; }
    setErrors({});
    form.setBusy(true);
    try {
      const saved = user
        ? await api.updateUser(user.id, parsed.data as Parameters<typeof api.updateUser>[1])
        : await api.createUser(parsed.data as Parameters<typeof api.createUser>[0]);
      onSaved(saved);
    } catch (e) {
      form.refused(toApiError(e), userFields, fieldText);
    }
  }

  return (
    <Dialog title={user ? t('userForm.editTitle', { name: user.username }) : t('userForm.createTitle')} onClose={onClose} testId="user-form" closable={!busy}>
      <form ref={form.formRef} className="form" onSubmit={submit} noValidate>
        {user ? <ReadonlyField label={t('user.username')} value={user.username} /> : (
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
                <MunicipalityOptions municipalities={municipalities} />
              </select>
            )}
          </Field>
        )}
        {!user && (
          <Field label={t('user.password')} error={errors.password} hint={t('userForm.passwordHint')}>
            {(p) => <PasswordInput value={password} onChange={setPassword} control={p} />}
          </Field>
        )}
        <ErrorSlot error={form.formError} />
        <FormInfo info={form.info} />
        <FormActions busy={busy} onCancel={onClose} submitLabel={user ? t('common.save') : t('userForm.create')} submitTestId="user-form-submit" />
      </form>
    </Dialog>
  );
}

export function PasswordForm({ user, onSaved, onClose }: { user: User; onSaved(u: User): void; onClose(): void }) {
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
        <ErrorSlot error={formError} />
        <FormActions busy={busy} onCancel={onClose} submitLabel={t('userForm.setPassword')} />
      </form>
    </Dialog>
  );
}
