/**
 * The page's own words (buttons, pickers, messages). Dashboard, panel and indicator names come from
 * dashboards/spec.ts and the catalogue; only the page's chrome is here.
 */
import { label, type Label } from '../spec.ts';

export const T = {
  appTitle: label('Phòng, chống mua bán người', 'Anti-trafficking'),
  appSubtitle: label('Bảng điều khiển lãnh đạo', 'Leadership dashboards'),
  switchLang: label('English', 'Tiếng Việt'),
  unit: label('Đơn vị', 'Unit'),
  searchUnit: label('Tìm tỉnh, xã, phường, huyện…', 'Search a province, commune, district…'),
  nation: label('Toàn quốc', 'Nationwide'),
  newList: label('Danh mục hiện hành (từ 1/7/2025)', "Today's list (from 1 July 2025)"),
  oldList: label('Danh mục cũ (đến 30/6/2025)', 'Old list (until 30 June 2025)'),
  provinces: label('Tỉnh, thành phố', 'Provinces'),
  below: label('Đơn vị trực thuộc', 'Units below'),
  noMatch: label('Không tìm thấy đơn vị', 'No unit matches'),
  loading: label('Đang tải…', 'Loading…'),
  noData: label('Không có số liệu', 'No data'),
  suppressed: label('Số nhỏ, được ẩn để bảo vệ nạn nhân', 'Small number, withheld to protect victims'),
  withheldPoints: label(
    '{n} điểm là số nhỏ, được ẩn để bảo vệ nạn nhân',
    '{n} points are small numbers, withheld to protect victims',
  ),
  yearBefore: label('Năm trước', 'Year before'),
  wholeYearBefore: label('Cả năm trước', 'The whole year before'),
  upToMonth: label('đến tháng {m}', 'to {m}'),
  incomplete: label('Chưa đủ báo cáo', 'Some reports are missing'),
  lastPeriodPartial: label('Kỳ cuối mới có số liệu đến {month}', 'The last period has figures up to {month} only'),
  met: label('Đạt mục tiêu', 'Target met'),
  notMet: label('Chưa đạt mục tiêu', 'Target not met'),
  target: label('Mục tiêu', 'Target'),
  ofFirst: label('so với bước đầu tiên', 'of the first step'),
  moreRows: label('và {n} dòng nữa', 'and {n} more rows'),
  pickProvince: label(
    'Chọn một tỉnh, thành phố ở ô Đơn vị, hoặc bấm vào một tỉnh trong bảng xếp hạng.',
    'Pick a province in the Unit box, or click one in the ranking.',
  ),
  drillHint: label('Bấm vào một đơn vị để xem chi tiết', 'Click a unit to drill down'),
  keyTitle: label('Cần khóa API', 'An API key is needed'),
  keyText: label(
    'Nhập khóa API do quản trị viên cấp. Khóa chỉ được giữ trong phiên trình duyệt này.',
    'Enter the API key your administrator gave you. It is kept for this browser session only.',
  ),
  keyRejected: label(
    'Khóa không hợp lệ, đã bị thu hồi hoặc hết hạn.',
    'The key is not valid, was revoked or has expired.',
  ),
  keySubmit: label('Mở bảng điều khiển', 'Open the dashboards'),
  failed: label('Không tải được số liệu.', 'The figures could not be loaded.'),
  timeout: label('Số liệu tải quá lâu.', 'The figures took too long to load.'),
  retry: label('Thử lại', 'Try again'),
  outOfScope: label(
    'Đơn vị «{unit}» nằm ngoài phạm vi được xem của khóa này.',
    'The unit "{unit}" is outside what this key may see.',
  ),
  unknownUnit: label('Không có đơn vị nào mã «{unit}».', 'There is no unit with the code "{unit}".'),
  backTo: label('Về {unit}', 'Back to {unit}'),
  withheldShort: label('ẩn để bảo vệ nạn nhân', 'withheld to protect victims'),
  notReported: label('chưa báo cáo', 'not reported'),
  seeAll: label('Xem tất cả ({n})', 'See all ({n})'),
  seeLess: label('Thu gọn', 'Show fewer'),
  footer: label(
    'Số liệu từ API GraphQL của kho dữ liệu (/graphql). Các bảng này cũng có trong Grafana:',
    "Figures from the warehouse's GraphQL API (/graphql). The same dashboards exist for Grafana:",
  ),
  campaigns: label('Chiến dịch', 'Campaigns'),
} satisfies Record<string, Label>;

/** The catalogue's units in English, for the English view (the catalogue writes them in Vietnamese). */
export const UNIT_EN: Record<string, string> = {
  người: 'people',
  'lượt người': 'person-visits',
  buổi: 'sessions',
  'bị can': 'defendants',
  cuộc: 'sessions',
  'cuộc gọi': 'calls',
  lớp: 'classes',
  'mô hình': 'models',
  tin: 'reports',
  'tin bài': 'items',
  tờ: 'leaflets',
  vụ: 'cases',
  'đối tượng': 'suspects',
};
