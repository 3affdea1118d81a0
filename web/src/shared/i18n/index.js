// The strings of every language, Chinese first. Add a language by adding a file here.
import zh from './zh-CN.js'
import en from './en.js'

export const messages = { 'zh-CN': zh, en }
