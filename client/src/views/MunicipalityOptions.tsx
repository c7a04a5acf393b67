// The options of a municipality select (camera form, user form): first "choose a municipality", then each one.
import { useTranslation } from 'react-i18next';
import type { Municipality } from '../../../server/cameras/schema';

export function MunicipalityOptions({ municipalities }: { municipalities: Municipality[] }) {
  const { t } = useTranslation();
  return (
    <>
      <option value="">{t('cameraForm.chooseMunicipality')}</option>
      {municipalities.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
    </>
  );
}
