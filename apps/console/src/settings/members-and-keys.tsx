import { useQuery } from 'urql';
import { ErrorNotice, Loading } from '../ui/error-notice.js';
import { ApiKeysPanel } from './api-keys-panel.js';
import { MembersQuery } from './members-documents.js';
import { MembersPanel } from './members-panel.js';

/** Admins' part of the settings: members and their API keys, re-read after every change. */
export function MembersAndKeys({ timeZone }: { timeZone: string }) {
  const [{ data, error, fetching }, refetch] = useQuery({
    query: MembersQuery,
    requestPolicy: 'network-only',
  });
  if (error) return <ErrorNotice error={error} />;
  if (!data) return fetching ? <Loading /> : null;
  const reload = () => refetch({ requestPolicy: 'network-only' });
  return (
    <>
      <MembersPanel members={data.members} timeZone={timeZone} onChanged={reload} />
      <ApiKeysPanel data={data} timeZone={timeZone} onChanged={reload} />
    </>
  );
}
