// ESLint flat config. The `layers` table below is the architecture: each folder lists what it must
// never import, so a wrong-way dependency fails `npm run lint` instead of surviving review.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const vscodeApi = { name: 'vscode', message: 'Only src/extension may use the VS Code API.' };
const lspPackages = [
  'vscode-languageserver',
  'vscode-languageserver/*',
  'vscode-languageclient',
  'vscode-languageclient/*',
  'langium/lsp',
];
const tfjs = ['@tensorflow/*'];

/** folder -> forbidden package names/patterns and forbidden sibling folders (relative imports). */
const layers = {
  'src/protocol': {
    names: [vscodeApi],
    patterns: [...lspPackages, ...tfjs, 'langium', 'langium/*'],
    folders: ['extension', 'language', 'server', 'engine', 'worker', 'cli'],
    why: 'protocol holds plain types shared by every boundary; it depends on nothing',
  },
  'src/language': {
    names: [vscodeApi],
    patterns: [...lspPackages, ...tfjs],
    folders: ['extension', 'server', 'engine', 'worker', 'cli'],
    why: 'the language core knows nothing of VS Code, LSP or the engine',
  },
  'src/server': {
    names: [vscodeApi],
    patterns: ['vscode-languageclient', 'vscode-languageclient/*', ...tfjs],
    folders: ['extension', 'engine', 'worker', 'cli'],
    why: 'the language server is its own process and never trains',
  },
  'src/engine': {
    names: [vscodeApi],
    patterns: [...lspPackages, 'langium', 'langium/*'],
    folders: ['extension', 'language', 'server', 'worker', 'cli'],
    why: 'the engine is the L2R maths; it knows nothing of editors or the language',
  },
  'src/worker': {
    names: [vscodeApi],
    patterns: [...lspPackages, 'langium', 'langium/*'],
    folders: ['extension', 'language', 'server', 'cli'],
    why: 'the training worker runs the engine in its own process',
  },
  'src/cli': {
    names: [vscodeApi],
    patterns: [...lspPackages],
    folders: ['extension', 'server'],
    why: 'the CLI runs headless, without an editor',
  },
  'src/extension': {
    names: [],
    patterns: [...tfjs, 'langium', 'langium/*'],
    folders: ['engine', 'worker', 'language', 'server', 'cli'],
    why: 'the extension host stays light: training runs in the worker, language smarts in the server',
  },
  webview: {
    names: [vscodeApi],
    patterns: [...lspPackages, ...tfjs, 'langium', 'langium/*', 'node:*', 'fs', 'path', 'child_process'],
    folders: ['extension', 'language', 'server', 'engine', 'worker', 'cli'],
    why: 'webview code runs in a browser sandbox and talks to the host only by messages',
  },
};

/** Import specifiers that reach src/<folder> from anywhere in src/ or webview/ (up to 3 levels deep). */
function relativeFolderPatterns(folder) {
  const ups = ['../', '../../', '../../../'];
  return [
    ...ups.flatMap((up) => [
      `${up}${folder}`,
      `${up}${folder}/**`,
      `${up}src/${folder}`,
      `${up}src/${folder}/**`,
    ]),
  ];
}

const layerConfigs = Object.entries(layers).map(([folder, rule]) => ({
  files: [`${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: rule.names.map((n) => ({ ...n })),
        patterns: [
          ...rule.patterns.map((p) => ({ group: [p], message: `Not allowed in ${folder}: ${rule.why}.` })),
          ...rule.folders.map((f) => ({
            group: relativeFolderPatterns(f),
            message: `${folder} must not import src/${f}: ${rule.why}.`,
          })),
        ],
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'dist-test/**',
      'out/**',
      '.cache/**',
      'test-artifacts/**',
      'scripts/data/node_modules/**',
      'src/language/generated/**',
      // AssemblyScript (decorators on functions, v128 builtins): compiled and checked by asc.
      'kernels/**',
      'src/engine/kernels/generated/**',
      '**/*.js',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      // TF.js ops are generic over tensor rank; an explicit `as Tensor2D` documents the rank we rely on.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    // Build/test scripts are plain Node ESM: lint them without type information.
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false, program: null, project: false },
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
      },
    },
  },
  ...layerConfigs,
);
