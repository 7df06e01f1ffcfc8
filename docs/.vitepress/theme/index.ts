import DefaultTheme from 'vitepress/theme';
import type { Theme } from 'vitepress';
import EvaDemo from './EvaDemo.vue';
import './custom.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('EvaDemo', EvaDemo);
  },
} satisfies Theme;
