/*
 * The Backstage backend that hosts the luban plugins. With the repository's
 * app-config.yaml it runs on SQLite in memory, development sign-in as one of
 * the demo users, and the local platform emulator started by scripts/start.
 */
import { createBackend } from '@backstage/backend-defaults';

// Named features load statically: under the dev transform a dynamic import
// of a workspace package only exposes its default export.
import {
  eventsModuleLubanWebhooks,
  lubanPermissionPolicyModule,
} from '@luban-backstage/plugin-luban-backend';
import { authModuleDevelopmentUsersProvider } from './developmentUsersSignIn';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// Sign-in: in development, as one of the demo users (see app-config.yaml);
// production adds its organisation's provider module here.
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(authModuleDevelopmentUsersProvider);

// Catalog: the suite itself, demo entities and the luban templates
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// Software templates, with the GitHub and Azure DevOps publishers and the luban actions
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-azure'));
backend.add(import('@luban-backstage/plugin-scaffolder-backend-module-luban'));

// Permissions
backend.add(import('@backstage/plugin-permission-backend'));
// luban's policy: only an entity's owners may rebuild, promote and roll it
// back; only luban.permissions.platformAdmins may administer projects or use
// the Kubernetes proxy; everything else is allowed.
backend.add(lubanPermissionPolicyModule);

// Search over the catalog
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

// Kubernetes: the clusters in kubernetes.clusterLocatorMethods (the emulator locally)
backend.add(import('@backstage/plugin-kubernetes-backend'));

// Events (webhooks) and signals (live updates in the browser)
backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.add(import('@backstage/plugin-user-settings-backend'));

// Notifications (the bell and the Notifications page): luban tells an app's owners of failed builds, promotion pull
// requests, Degraded environments and vulnerable running digests through it
backend.add(import('@backstage/plugin-notifications-backend'));

// luban, and its authenticated push webhooks (/api/events/http/luban-github|luban-azure)
backend.add(import('@luban-backstage/plugin-luban-backend'));
backend.add(eventsModuleLubanWebhooks);

backend.start();
