import { api } from './api/endpoints';
console.log(api);
