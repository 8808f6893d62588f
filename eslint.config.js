import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * The stages flow one way (ARCHITECTURE.md): each folder of src/ may import only the folders listed
 * for it here (and itself, and src/version.ts). A folder not listed may import nothing of ours
 * outside itself until it is added. Tests and test helpers (*.test.ts, *-testing.ts, __fixtures__/,
 * src/testing/) may import anything.
 */
const LAYERS = {
  model: [],
  io: ['model'],
  ecosystems: ['model', 'io'],
  sbom: ['model', 'io', 'ecosystems'],
  inventory: ['model', 'io', 'ecosystems', 'sbom'],
  advisories: ['model', 'io', 'ecosystems'],
  triage: ['model', 'io', 'ecosystems', 'advisories'],
  report: ['model', 'io', 'ecosystems', 'sbom', 'triage'],
  remediate: ['model', 'io', 'ecosystems', 'inventory', 'advisories', 'triage'],
  attest: ['model', 'io', 'ecosystems', 'sbom', 'inventory'],
  engine: ['model', 'io', 'ecosystems', 'sbom', 'inventory', 'advisories', 'triage', 'report'],
  health: ['model', 'io', 'ecosystems', 'sbom', 'inventory', 'advisories', 'triage', 'engine'],
  share: ['model', 'io', 'ecosystems', 'advisories'],
  marketplace: ['model', 'io', 'ecosystems', 'advisories', 'attest', 'health', 'db', 'portfolio'],
  // the portfolio server's state (ARCHITECTURE.md, "The portfolio server"): the query layer, the jobs,
  // then the portfolio's own logic over the engine — no HTTP below server/
  db: ['model', 'io'],
  jobs: ['model', 'io', 'db'],
  portfolio: ['model', 'io', 'ecosystems', 'sbom', 'inventory', 'advisories', 'triage', 'report', 'engine', 'share', 'db', 'jobs'],
  // issue 14: triage that sticks, VEX in and out, incidents — plain functions over the database, no HTTP
  response: ['model', 'io', 'ecosystems', 'triage', 'report', 'engine', 'db', 'jobs', 'portfolio'],
  // the shells: everything below them; the CLI starts the server (`vouch serve`), the server never imports the CLI
  cli: ['model', 'io', 'ecosystems', 'sbom', 'inventory', 'advisories', 'triage', 'report', 'remediate', 'attest', 'engine', 'health', 'share', 'marketplace', 'db', 'jobs', 'portfolio', 'response', 'server'],
  server: ['model', 'io', 'ecosystems', 'sbom', 'inventory', 'advisories', 'triage', 'report', 'engine', 'health', 'share', 'marketplace', 'db', 'jobs', 'portfolio', 'response'],
};

const TEST_FILES = ['**/*.test.ts', '**/*-testing.ts', '**/__fixtures__/**', 'src/testing/**', 'test/**', 'bench/**'];

const zones = [];
for (const [folder, allowed] of Object.entries(LAYERS)) {
  zones.push({
    target: `./src/${folder}`,
    from: './src',
    except: [`./${folder}`, './version.ts', ...allowed.map((a) => `./${a}`)],
    message: `src/${folder} may import only ${allowed.length ? allowed.join(', ') : 'nothing of ours'} (ARCHITECTURE.md, "The rules the lint enforces")`,
  });
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'web/dist/**', 'bench/.work/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] }, 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      // type-only imports count too: a type cycle is a design cycle
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones }],
    },
  },
  {
    files: TEST_FILES,
    rules: { 'import-x/no-restricted-paths': 'off' },
  },
  {
    files: ['src/cli/**/*.ts', 'src/testing/**', 'bench/**', 'bin/**', '**/*.test.ts', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js', 'bin/vouch'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // CommonJS (bin/package.json): no ES module loader at start-up
    files: ['bin/vouch'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
