import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
// The layers of src/, bottom first: one list, shown in ARCHITECTURE.md (a test compares them).
import { LAYERS } from './layers.mjs';

const ENTRY = 'src/index.ts';
// Folders of one layer do not import each other, except at the top, where hosts and
// integrations build on each other (nest mounts the controller's handler); madge keeps that
// free of cycles. In the middle, http sits above context and tracing; decorators never use http.
const PEERS_ALLOWED = LAYERS.findIndex((layer) => layer.includes('controller'));
const ALSO_FORBIDDEN = { decorators: ['http'] };

const layerZones = LAYERS.flatMap((layer, i) =>
  layer.map((folder) => ({
    target: `./src/${folder}`,
    from: [
      ...LAYERS.slice(i === PEERS_ALLOWED ? i + 1 : i)
        .flat()
        .filter((other) => other !== folder),
      ...(ALSO_FORBIDDEN[folder] ?? []),
    ]
      .map((other) => `./src/${other}`)
      .concat(`./${ENTRY}`),
    message: `src/${folder} is below these in the layer order (ARCHITECTURE.md)`,
  })),
);

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-empty-function': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Wrappers must call the original with the caller's `this`, captured in a closure.
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: layerZones }] },
  },
  {
    // The dashboard's browser modules, served as files (src/ui/assets).
    files: ['src/ui/assets/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        document: 'readonly',
        location: 'readonly',
        sessionStorage: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
      },
    },
  },
);
