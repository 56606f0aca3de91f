import { InMemoryMarketplaceDirectory } from '../../kernel/testing/in-memory-marketplace-directory.js';
import { emailTemplateRepositoryContract } from './contracts/email-template-repository-contract.js';
import { templateRendererContract } from './contracts/template-renderer-contract.js';
import { InMemoryEmailTemplateRepository } from './in-memory-email-template-repository.js';
import { InMemoryTemplateRenderer } from './in-memory-template-renderer.js';

// The reference implementations run the suites the Kysely and Liquid adapters run.
emailTemplateRepositoryContract({
  name: 'in-memory',
  setup: async () => {
    const directory = new InMemoryMarketplaceDirectory();
    const repository = new InMemoryEmailTemplateRepository({ directory });
    return {
      repository,
      raw: repository.raw,
      addStore: async (id) => {
        await directory.upsertStore({ id, name: id, tier: 'business' }, new Date('2026-01-01T00:00:00Z'));
      },
    };
  },
});

templateRendererContract({ name: 'in-memory', renderer: () => new InMemoryTemplateRenderer() });
