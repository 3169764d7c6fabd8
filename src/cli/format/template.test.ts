import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render, compile, headerFunctions, goPrint } from './template.js';

const c = {
  Id: 'abc',
  Name: '/web',
  State: { Status: 'running', Running: true, ExitCode: 0, Pid: 42 },
  Config: { Labels: { b: '2', a: '1' }, Env: ['A=1', 'B=2'], Cmd: ['sleep', '300'], Entrypoint: null },
  NetworkSettings: { Networks: { bridge: { IPAddress: '172.17.0.2' } } },
  Mounts: [],
};

test('fields, nested fields, missing values', () => {
  assert.equal(render('{{.Id}} {{.State.Status}} {{.State.Pid}}', c), 'abc running 42');
  assert.equal(render('{{.Nope}}', c), '<no value>');
  assert.equal(render('{{.Config.Entrypoint}}', c), '<nil>');
});

test('Go printing of maps, slices, bools', () => {
  assert.equal(render('{{.Config.Labels}}', c), 'map[a:1 b:2]');
  assert.equal(render('{{.Config.Cmd}}', c), '[sleep 300]');
  assert.equal(render('{{.State.Running}}', c), 'true');
  assert.equal(render('{{.Mounts}}', c), '[]');
  assert.equal(goPrint(1.5), '1.5');
});

test('json', () => {
  assert.equal(render('{{json .Config.Labels}}', c), '{"b":"2","a":"1"}');
  assert.equal(render('{{json .State}}', c), JSON.stringify(c.State));
  assert.equal(render('{{json .Nope}}', c), 'null');
});

test('range over slices and maps, with variables', () => {
  assert.equal(render('{{range .Config.Env}}{{.}};{{end}}', c), 'A=1;B=2;');
  assert.equal(render('{{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}', c), 'a=1 b=2 ');
  assert.equal(render('{{range $i, $e := .Config.Cmd}}{{$i}}:{{$e}},{{end}}', c), '0:sleep,1:300,');
  assert.equal(
    render('{{range $net, $conf := .NetworkSettings.Networks}}{{$net}} {{$conf.IPAddress}}{{end}}', c),
    'bridge 172.17.0.2',
  );
  assert.equal(render('{{range .Mounts}}x{{else}}none{{end}}', c), 'none');
  assert.equal(render('{{range .Config.Env}}{{$.Id}}{{end}}', c), 'abcabc');
});

test('index, len, if/else, with', () => {
  assert.equal(render('{{index .Config.Labels "a"}}', c), '1');
  assert.equal(render('{{index .Config.Cmd 1}}', c), '300');
  assert.equal(render('{{len .Config.Env}}', c), '2');
  assert.equal(render('{{if .State.Running}}up{{else}}down{{end}}', c), 'up');
  assert.equal(render('{{if eq .State.Status "exited"}}x{{else if .State.Running}}r{{else}}o{{end}}', c), 'r');
  assert.equal(render('{{with .State}}{{.Status}}{{end}}', c), 'running');
  assert.equal(render('{{if and .State.Running (eq .State.ExitCode 0)}}ok{{end}}', c), 'ok');
});

test('printf, println, string functions, pipes', () => {
  assert.equal(render('{{printf "%s-%d" .Id .State.Pid}}', c), 'abc-42');
  assert.equal(render('{{printf "%-6s|" .Id}}', c), 'abc   |');
  assert.equal(render('{{println .Id}}', c), 'abc\n');
  assert.equal(render('{{.State.Status | upper}}', c), 'RUNNING');
  assert.equal(render('{{.State.Status | title}}', c), 'Running');
  assert.equal(render('{{upper .Id}} {{lower "ABC"}}', c), 'ABC abc');
  assert.equal(render('{{join .Config.Cmd ","}}', c), 'sleep,300');
  assert.equal(render('{{split "a:b" ":"}}', c), '[a b]');
  assert.equal(render('{{.Name | printf "%q"}}', c), '"/web"');
  assert.equal(render('{{truncate .Name 2}}', c), '/w');
});

test('trim markers and comments', () => {
  assert.equal(render('a  {{- .Id -}}  b{{/* hi */}}', c), 'aabcb');
});

test('header functions pass through', () => {
  assert.equal(compile('{{.Name | upper}}', headerFunctions).execute({ Name: 'NAMES' }), 'NAMES');
});

test('errors are reported', () => {
  assert.throws(() => render('{{.Id', c), /template parsing error/);
  assert.throws(() => render('{{nofunc .Id}}', c), /function "nofunc" not defined/);
  assert.throws(() => render('{{if .Id}}x', c), /unexpected EOF/);
});

test('a field chain on a parenthesized pipeline: (index .Ports "80/tcp" 0).HostPort', () => {
  const data = { P: { '80/tcp': [{ HostPort: '8080' }] }, L: ['a', 'b'] };
  assert.equal(render('{{(index (index .P "80/tcp") 0).HostPort}}', data), '8080');
  assert.equal(render('{{ (index .L 1) }} {{(index .P "80/tcp")}}', data), 'b [map[HostPort:8080]]');
});
