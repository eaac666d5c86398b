import { useState } from 'react';
import {
  Content,
  Header,
  InfoCard,
  Page,
  ProxiedSignInPage,
  WarningPanel,
} from '@backstage/core-components';
import {
  configApiRef,
  useApi,
  type ConfigApi,
  type IdentityApi,
  type SignInPageProps,
} from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';

/** The auth backend's provider (packages/backend/src/developmentUsersSignIn.ts) and its header. */
const PROVIDER = 'developmentUsers';
const USER_HEADER = 'x-luban-development-user';
/** Who was picked, so that a reload signs the same person in again; signing out forgets it. */
const PICKED_USER = 'luban.developmentUser';

interface DevelopmentUser {
  name: string;
  title: string;
  description?: string;
}

function readUsers(config: ConfigApi): DevelopmentUser[] {
  return (
    config.getOptionalConfigArray('auth.providers.developmentUsers.users') ?? []
  ).map(
    (user): DevelopmentUser => ({
      name: user.getString('name'),
      title: user.getOptionalString('title') ?? user.getString('name'),
      description: user.getOptionalString('description'),
    }),
  );
}

/** The session of the picked user, whose sign-out also forgets the pick (every other method stays the session's own). */
function forgettingOnSignOut(identity: IdentityApi): IdentityApi {
  const signOut = identity.signOut.bind(identity);
  identity.signOut = async () => {
    window.localStorage.removeItem(PICKED_USER);
    await signOut();
  };
  return identity;
}

/** One card per user; picking one signs that user in. */
function UserCards(props: {
  users: DevelopmentUser[];
  onPick(name: string): void;
}) {
  return (
    <Grid container spacing={2} component="ul" style={{ padding: 0 }}>
      {props.users.map(user => (
        <Grid
          item
          xs={12}
          sm={6}
          md={4}
          key={user.name}
          component="li"
          style={{ listStyle: 'none' }}
        >
          <InfoCard
            title={user.title}
            variant="fullHeight"
            actions={
              <Button
                color="primary"
                variant="outlined"
                onClick={() => props.onPick(user.name)}
              >
                Sign in as {user.title}
              </Button>
            }
          >
            <Typography variant="body1">{user.description}</Typography>
          </InfoCard>
        </Grid>
      ))}
    </Grid>
  );
}

/** Why the picked user could not be signed in, and the way back to the cards. */
function SignInFailed(props: {
  user: string;
  error?: Error;
  onPickAnother(): void;
}) {
  return (
    <Page themeId="home">
      <Content>
        <WarningPanel
          severity="error"
          title={`Could not sign in as ${props.user}`}
          message={props.error?.message}
        >
          <Button variant="outlined" onClick={props.onPickAnother}>
            Pick another user
          </Button>
        </WarningPanel>
      </Content>
    </Page>
  );
}

/**
 * Development sign-in: one card per user under
 * `auth.providers.developmentUsers.users`, so a person can be a member of
 * either demo team (or the platform team) and see the tenant boundary from
 * both sides. The backend signs the picked user in through the catalog.
 */
export function DevelopmentSignInPage(props: SignInPageProps) {
  const users = readUsers(useApi(configApiRef));
  const [picked, setPicked] = useState(() =>
    window.localStorage.getItem(PICKED_USER),
  );
  const pick = (name: string | null) => {
    if (name) window.localStorage.setItem(PICKED_USER, name);
    else window.localStorage.removeItem(PICKED_USER);
    setPicked(name);
  };

  if (picked && users.some(user => user.name === picked)) {
    return (
      <ProxiedSignInPage
        provider={PROVIDER}
        headers={{ [USER_HEADER]: picked }}
        onSignInSuccess={identity =>
          props.onSignInSuccess(forgettingOnSignOut(identity))
        }
        ErrorComponent={({ error }) => (
          <SignInFailed
            user={picked}
            error={error}
            onPickAnother={() => pick(null)}
          />
        )}
      />
    );
  }

  return (
    <Page themeId="home">
      <Header
        title="luban for Backstage"
        subtitle="Development sign-in: pick who you are"
      />
      <Content>
        {users.length === 0 ? (
          <WarningPanel
            severity="info"
            title="No sign-in is configured"
            message="Configure your organisation's sign-in provider, or auth.providers.developmentUsers.users in development."
          />
        ) : (
          <UserCards users={users} onPick={pick} />
        )}
      </Content>
    </Page>
  );
}
