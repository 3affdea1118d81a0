"""Text normalisation for hotline orders and citizens' reports.

Before any feature is computed the text is folded (full-width → half-width by NFKC, Latin
lower case, white space collapsed) and personal data is replaced by placeholder characters:
e-mail addresses and web links, identity-card numbers, phone numbers, personal names in the
usual hotline phrasings ("王先生", "姓名：张三", "我叫李四"), and finally every remaining run of
digits (house numbers, plate numbers, account numbers). The placeholders are single characters
from Unicode's private-use area, so they can never collide with real text and stay one token
for the segmenter and the character n-grams.
"""

from __future__ import annotations

import re
import unicodedata

LINK = "\ue001"
ID_NUMBER = "\ue002"
PHONE = "\ue003"
NAME = "\ue004"
NUMBER = "\ue005"

PLACEHOLDERS = frozenset({LINK, ID_NUMBER, PHONE, NAME, NUMBER})

# The most common Chinese surnames (single and compound); enough to recognise a name in the
# fixed phrasings below without masking ordinary words.
_SURNAMES_SINGLE = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万"
    "钱严覃武戴莫孔汤温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁"
    "尚符舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝游辛靳柴蒙鲍华喻祁蒲房滕屈饶牟艾尤阳穆农司卓古"
    "吉缪简项麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬卞姬仇栾隋刁沙荣巫寇桑郎甄丛仲虞"
    "敖巩佘池查麻苑迟邝"
)
# Surnames that are also everyday function words (和, 于, 向, 时, 应, 全, 成, 连 ...) are left
# out on purpose: "他和老板" must not become a name.
_SURNAMES_COMPOUND = ("欧阳", "司马", "上官", "诸葛", "皇甫", "尉迟", "公孙", "慕容", "令狐")
_SURNAME = "(?:" + "|".join(_SURNAMES_COMPOUND) + "|[" + _SURNAMES_SINGLE + "])"
_HAN = "[\u4e00-\u9fff]"

_URL_OR_EMAIL = re.compile(
    r"(?:https?://|www\.)[^\s\u4e00-\u9fff，。；！？、]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII
)
_ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{9}[0-9x](?![0-9x])")
_PHONE = re.compile(
    r"(?<![0-9])(?:"
    r"(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}"  # mobile
    r"|0[0-9]{2,3}[- ]?[0-9]{7,8}"  # landline with area code
    r"|[48]00[- ]?[0-9]{3}[- ]?[0-9]{4}"  # 400 / 800 service numbers
    r")(?![0-9])"
)
_NAME_AFTER_LABEL = re.compile(
    r"((?:姓名|名字|联系人|来电人|反映人|投诉人|举报人|当事人|我叫|本人叫|本人姓名)[:：是为]?\s?)"
    + r"("
    + _SURNAME
    + _HAN
    + r"{1,2})"
)
_NAME_BEFORE_TITLE = re.compile(
    r"(" + _SURNAME + r")(?=(?:先生|女士|小姐|师傅|阿姨|大爷|大妈|老师|医生|同志|经理|老板))"
)
_DIGITS = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Full-width to half-width (NFKC), Latin lower case, white space collapsed to one space."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _SPACE.sub(" ", text).strip()


def mask_personal_data(text: str) -> str:
    """Replace e-mails/links, ID numbers, phone numbers, names and other digit runs by
    placeholders. Expects folded text (see :func:`fold`)."""
    text = _URL_OR_EMAIL.sub(LINK, text)
    text = _ID_NUMBER.sub(ID_NUMBER, text)
    text = _PHONE.sub(PHONE, text)
    text = _NAME_AFTER_LABEL.sub(lambda m: m.group(1) + NAME, text)
    text = _NAME_BEFORE_TITLE.sub(NAME, text)
    return _DIGITS.sub(NUMBER, text)


def normalize(text: str) -> str:
    """The one normalisation every feature is computed from: :func:`fold`, then
    :func:`mask_personal_data`."""
    return mask_personal_data(fold(text))


def readable(text: str) -> str:
    """Show placeholders as bracketed words, for logs and documentation examples."""
    names = {
        LINK: "〈邮箱或网址〉",
        ID_NUMBER: "〈证件号〉",
        PHONE: "〈电话〉",
        NAME: "〈姓名〉",
        NUMBER: "〈数〉",
    }
    return "".join(names.get(ch, ch) for ch in text)
